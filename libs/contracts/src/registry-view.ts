import { RegistryEvent } from './registry-events';

/**
 * What NDXP and the LGSPs need to know of the registry, built by folding its
 * events in order. Pure: the Kafka consumer that feeds it lives in platform.
 */
export interface RegistryViewState {
  agencies: Map<string, { nameVi: string; nameEn: string; hasLgsp: boolean; codeConfirmed: boolean }>;
  /** testClient: its X-Emulator-Fault header is honoured (see isTestClient). */
  subsystems: Map<string, { agency: string; role: 'client' | 'provider'; testClient: boolean }>;
  services: Map<string, { provider: string; serviceCode: string; version: string; database: string; method: string }>;
  /** client subsystem → services it may call. */
  grants: Map<string, Set<string>>;
  /** key hash → credential. */
  credentials: Map<string, { client: string; keyId: string; revoked: boolean }>;
  /** TLS certificate fingerprint (SHA-256 of the DER, lower-case hex) → the client subsystem it authenticates. */
  certificates: Map<string, { client: string; subject: string; notAfter: string; revoked: boolean }>;
  /** key hash → an LGSP operator's key (reads its LGSP's exchanges). */
  operators: Map<string, { lgsp: string; keyId: string; revoked: boolean }>;
  position: number;
}

export function emptyRegistryView(): RegistryViewState {
  return {
    agencies: new Map(),
    subsystems: new Map(),
    services: new Map(),
    grants: new Map(),
    credentials: new Map(),
    certificates: new Map(),
    operators: new Map(),
    position: 0,
  };
}

/**
 * The furthest a registry event's position may lie ahead of the last one applied. Positions are the
 * store's bigserial, drawn under the append lock: consecutive but for the values of appends rolled back
 * (a handful). A record far ahead is not the registry's: applied, it would make the view drop every real
 * event below it, for good (a forged 2^53 - 1 stops all later grants and revokes). Such a record is
 * refused, and the view waits for the real next position. At the start of a topic (position 0) any
 * position is taken: old segments may have been deleted.
 */
export const MAX_REGISTRY_POSITION_LEAP = 100_000;

/** Why a position must not be applied to this view, or undefined when it may (at or below the last is a replay: harmless). */
export function registryPositionProblem(s: RegistryViewState, position: number): string | undefined {
  if (s.position > 0 && position - s.position > MAX_REGISTRY_POSITION_LEAP)
    return `globalPosition ${position} leaps ${position - s.position} past the last applied (${s.position}); at most ${MAX_REGISTRY_POSITION_LEAP} is a registry's`;
  return undefined;
}

/** The seed's one-stop-shop client of each agency (`…/MOTCUA`): a test client, so that a team can aim faults at its own requests. */
const isSeededOneStopShop = (subsystem: string, role: string): boolean => role === 'client' && subsystem.split('/')[3] === 'MOTCUA';

/** May this client subsystem ask for injected faults (X-Emulator-Fault)? Registered with testClient, or a seeded MOTCUA client. */
export function isTestClient(s: RegistryViewState, client: string): boolean {
  return s.subsystems.get(client)?.testClient === true;
}

export function evolveRegistryView(s: RegistryViewState, e: RegistryEvent, position: number): RegistryViewState {
  if (position <= s.position) return s; // already applied: replays change nothing
  s.position = position;
  switch (e.type) {
    case 'AgencyRegistered':
      s.agencies.set(e.code102, { nameVi: e.nameVi, nameEn: e.nameEn, hasLgsp: e.hasLgsp, codeConfirmed: e.codeConfirmed });
      break;
    case 'SubsystemRegistered':
      s.subsystems.set(e.subsystem, { agency: e.agency, role: e.role, testClient: e.testClient === true || isSeededOneStopShop(e.subsystem, e.role) });
      break;
    case 'ServiceRegistered':
      s.services.set(e.service, { provider: e.provider, serviceCode: e.serviceCode, version: e.version, database: e.database, method: e.method });
      break;
    case 'AccessGranted': {
      const set = s.grants.get(e.client) ?? new Set<string>();
      set.add(e.service);
      s.grants.set(e.client, set);
      break;
    }
    case 'AccessRevoked':
      s.grants.get(e.client)?.delete(e.service);
      break;
    case 'CredentialIssued':
      s.credentials.set(e.keyHash, { client: e.client, keyId: e.keyId, revoked: false });
      break;
    case 'CredentialRevoked':
      for (const c of s.credentials.values()) if (c.client === e.client && c.keyId === e.keyId) c.revoked = true;
      break;
    case 'CertificateRegistered':
      s.certificates.set(e.fingerprint, { client: e.client, subject: e.subject, notAfter: e.notAfter, revoked: false });
      break;
    case 'CertificateRevoked': {
      const c = s.certificates.get(e.fingerprint);
      if (c?.client === e.client) c.revoked = true;
      break;
    }
    case 'OperatorCredentialIssued':
      s.operators.set(e.keyHash, { lgsp: e.lgsp, keyId: e.keyId, revoked: false });
      break;
    case 'OperatorCredentialRevoked':
      for (const o of s.operators.values()) if (o.lgsp === e.lgsp && o.keyId === e.keyId) o.revoked = true;
      break;
  }
  return s;
}

export type AccessDecision =
  { allowed: true; database: string; provider: string } | { allowed: false; reason: 'unknown-client' | 'unknown-member' | 'unknown-service' | 'not-granted'; message: string };

/** May this client call this service? Denied unless granted. */
export function decideAccess(s: RegistryViewState, client: string, service: string): AccessDecision {
  if (!s.subsystems.has(client)) return { allowed: false, reason: 'unknown-client', message: `client subsystem ${client} is not registered` };
  const svc = s.services.get(service);
  if (!svc) {
    const provider = service.split('/').slice(0, 4).join('/');
    if (!s.subsystems.has(provider)) return { allowed: false, reason: 'unknown-member', message: `provider subsystem ${provider} is not registered` };
    return { allowed: false, reason: 'unknown-service', message: `service ${service} is not in the catalogue` };
  }
  if (!s.grants.get(client)?.has(service)) return { allowed: false, reason: 'not-granted', message: `${client} has no access right to ${service}` };
  return { allowed: true, database: svc.database, provider: svc.provider };
}
