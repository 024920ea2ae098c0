import { invalid, ok, Parsed } from './identifiers/result';

/**
 * Registry events: the write side's facts, appended to the registry's event
 * store and published through its outbox to Kafka, where NDXP and the LGSPs
 * build their view of who may call what.
 */
export interface AgencyRegistered {
  type: 'AgencyRegistered';
  code102: string;
  decision20?: string;
  nameVi: string;
  nameEn: string;
  level: number;
  parent?: string;
  /** ministry, province, government-agency, other. */
  category: string;
  /** false when the code is inferred, not confirmed by a public source. */
  codeConfirmed: boolean;
  hasLgsp: boolean;
}

export interface SubsystemRegistered {
  type: 'SubsystemRegistered';
  subsystem: string;
  agency: string;
  name: string;
  role: 'client' | 'provider';
}

export interface ServiceRegistered {
  type: 'ServiceRegistered';
  service: string;
  provider: string;
  serviceCode: string;
  version: string;
  method: string;
  database: string;
  description: string;
}

export interface AccessGranted {
  type: 'AccessGranted';
  client: string;
  service: string;
}

export interface AccessRevoked {
  type: 'AccessRevoked';
  client: string;
  service: string;
}

export interface CredentialIssued {
  type: 'CredentialIssued';
  client: string;
  keyId: string;
  keyHash: string;
}

export interface CredentialRevoked {
  type: 'CredentialRevoked';
  client: string;
  keyId: string;
}

export type RegistryEvent = AgencyRegistered | SubsystemRegistered | ServiceRegistered | AccessGranted | AccessRevoked | CredentialIssued | CredentialRevoked;

/** As published on Kafka: the event with its place in the store. */
export interface RegistryEventEnvelope {
  globalPosition: number;
  streamId: string;
  streamVersion: number;
  recordedAt: string;
  event: RegistryEvent;
}

type FieldKind = 'string' | 'number' | 'boolean' | readonly string[];

/** Each event type's required fields, as its interface above declares them (a new type fails to compile until listed here). */
const REQUIRED_FIELDS: { [T in RegistryEvent['type']]: Record<string, FieldKind> } = {
  AgencyRegistered: {
    code102: 'string',
    nameVi: 'string',
    nameEn: 'string',
    level: 'number',
    category: 'string',
    codeConfirmed: 'boolean',
    hasLgsp: 'boolean',
  },
  SubsystemRegistered: { subsystem: 'string', agency: 'string', name: 'string', role: ['client', 'provider'] },
  ServiceRegistered: {
    service: 'string',
    provider: 'string',
    serviceCode: 'string',
    version: 'string',
    method: 'string',
    database: 'string',
    description: 'string',
  },
  AccessGranted: { client: 'string', service: 'string' },
  AccessRevoked: { client: 'string', service: 'string' },
  CredentialIssued: { client: 'string', keyId: 'string', keyHash: 'string' },
  CredentialRevoked: { client: 'string', keyId: 'string' },
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const fits = (v: unknown, kind: FieldKind) => (typeof kind === 'string' ? typeof v === kind : kind.includes(v as string));

function checkEvent(e: unknown): string | undefined {
  if (!isObject(e)) return 'event is not an object';
  const fields = Object.hasOwn(REQUIRED_FIELDS, String(e.type)) ? REQUIRED_FIELDS[e.type as RegistryEvent['type']] : undefined;
  if (!fields) return `unknown event type ${JSON.stringify(e.type)}`;
  const wrong = Object.entries(fields)
    .filter(([name, kind]) => !fits(e[name], kind))
    .map(([name]) => name);
  return wrong.length ? `${e.type} lacks or mistypes ${wrong.join(', ')}` : undefined;
}

/**
 * Reads one record of the registry topic. Pure and never throws: every
 * process folds this topic from the start, so one record it cannot read
 * must be skipped (with the reason) rather than stop every later change.
 */
export function parseRegistryEnvelope(text: string): Parsed<RegistryEventEnvelope> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return invalid(`not JSON: ${(e as Error).message.slice(0, 200)}`);
  }
  if (!isObject(v)) return invalid('not an object');
  if (!Number.isSafeInteger(v.globalPosition) || (v.globalPosition as number) < 1) return invalid('globalPosition is not a positive integer');
  if (typeof v.streamId !== 'string' || !Number.isSafeInteger(v.streamVersion) || typeof v.recordedAt !== 'string')
    return invalid('streamId, streamVersion or recordedAt is missing or mistyped');
  const bad = checkEvent(v.event);
  return bad ? invalid(bad) : ok(v as unknown as RegistryEventEnvelope);
}
