import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import type { Socket } from 'net';
import type { TLSSocket, TlsOptions } from 'tls';
import type { RegistryViewState } from '@ndxp/contracts';
import { ConfigError } from '@ndxp/platform';
import type { LgspConfig } from '../lgsp.config';

/**
 * Mutual TLS as X-Road authenticates information systems (IsAuthentication.verifyClientAuthentication): the
 * client's TLS certificate must be one registered for the client subsystem. Here it must also be signed by
 * the gateway's CA (LGSP_TLS_CA), and the registry holds certificates by SHA-256 fingerprint.
 */

/** The TLS connection a request came on (absent: plain HTTP). */
export interface TlsPeer {
  /** The client's certificate, when it sent one: its fingerprint (SHA-256 of the DER, hex) and whether the CA verified it. */
  certificate?: { fingerprint: string; verified: boolean; error?: string };
}

/** The peer of a request's socket: a TLSSocket when it came over HTTPS (acceptTls), else nothing. */
export function tlsPeerOf(socket: Socket): TlsPeer | undefined {
  const s = socket as TLSSocket;
  if (!s.encrypted) return undefined;
  const cert = s.getPeerCertificate();
  if (!cert?.raw) return {};
  const fingerprint = createHash('sha256').update(cert.raw).digest('hex');
  return { certificate: { fingerprint, verified: s.authorized, ...(s.authorizationError ? { error: String(s.authorizationError) } : {}) } };
}

export type ClientAuthentication = { ok: true; client: string } | { ok: false; message: string };

/** The client as X-Road's messages name it: `SUBSYSTEM:VN/GOV/000.00.00.H26/MOTCUA`, `MEMBER:VN/GOV/000.00.00.H26`. */
const named = (client: string | undefined) => (client === undefined ? 'unknown' : `${client.split('/').length === 3 ? 'MEMBER' : 'SUBSYSTEM'}:${client}`);

const speaksFor = (holder: string, client: string | undefined) => client === undefined || holder === client || holder.startsWith(`${client}/`);

/**
 * Authentication by the client's TLS certificate. A certificate sent is always checked: it authenticates
 * the client it is registered for (or, as an API key does, a member-level X-Road-Client of that
 * subsystem's member; with no X-Road-Client, it says who calls). Without one: refused when `requireCert`,
 * otherwise undefined (the API key decides). The messages are X-Road's where it has one.
 */
export function certificateAuthentication(
  state: Pick<RegistryViewState, 'certificates'>,
  peer: TlsPeer | undefined,
  client: string | undefined,
  requireCert: boolean,
): ClientAuthentication | undefined {
  const cert = peer?.certificate;
  if (!cert) return requireCert ? { ok: false, message: `Client (${named(client)}) specifies HTTPS but did not supply TLS certificate` } : undefined;
  if (!cert.verified) {
    const period = cert.error === 'CERT_HAS_EXPIRED' || cert.error === 'CERT_NOT_YET_VALID';
    if (period) return { ok: false, message: `Client (${named(client)}) TLS certificate is expired or not yet valid` };
    return { ok: false, message: `Client (${named(client)}) TLS certificate is not signed by this LGSP's certificate authority (${cert.error ?? 'unverified'})` };
  }
  const holder = state.certificates.get(cert.fingerprint);
  if (holder && !holder.revoked && speaksFor(holder.client, client)) return { ok: true, client: holder.client };
  if (client === undefined) return { ok: false, message: `the TLS certificate ${cert.fingerprint} is not registered for any client subsystem` };
  const has = [...state.certificates.values()].some((c) => !c.revoked && speaksFor(c.client, client));
  if (!has) return { ok: false, message: `Client (${named(client)}) has no IS certificates` };
  return { ok: false, message: `Client (${named(client)}) TLS certificate does not match any IS certificates` };
}

/**
 * The gateway's TLS settings as Node's options, or nothing when LGSP_TLS_CERT, _KEY and _CA are all unset
 * (plain HTTP only, as before). The client's certificate is asked for but never refused by TLS itself
 * (rejectUnauthorized: false): the gateway answers an unverified one with an X-Road fault.
 */
export function lgspTlsOptions(config: LgspConfig, read: (path: string) => string = (p) => readFileSync(p, 'utf8')): TlsOptions | undefined {
  const files = { LGSP_TLS_CERT: config.LGSP_TLS_CERT, LGSP_TLS_KEY: config.LGSP_TLS_KEY, LGSP_TLS_CA: config.LGSP_TLS_CA };
  const set = Object.entries(files).filter(([, v]) => v);
  const hint = "the files 'npm run ndxp -- tls init' writes (.ndxp/tls/server.crt, server.key, ca.crt)";
  if (set.length === 0) {
    if (config.LGSP_TLS_REQUIRE_CERT) throw new ConfigError('lgsp', [`LGSP_TLS_REQUIRE_CERT: needs LGSP_TLS_CERT, LGSP_TLS_KEY and LGSP_TLS_CA, ${hint}`]);
    return undefined;
  }
  const missing = Object.keys(files).filter((k) => !files[k as keyof typeof files]);
  if (missing.length)
    throw new ConfigError(
      'lgsp',
      missing.map((k) => `${k}: must be set with the other LGSP_TLS_ files (${hint})`),
    );
  const problems: string[] = [];
  const contents = Object.fromEntries(
    set.map(([name, path]) => {
      try {
        return [name, read(path!)];
      } catch (e) {
        problems.push(`${name}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
        return [name, ''];
      }
    }),
  );
  if (problems.length) throw new ConfigError('lgsp', problems);
  return { cert: contents.LGSP_TLS_CERT, key: contents.LGSP_TLS_KEY, ca: contents.LGSP_TLS_CA, requestCert: true, rejectUnauthorized: false };
}
