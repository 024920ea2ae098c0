import { createHash, X509Certificate } from 'crypto';
import { RegistryEvent } from '@ndxp/contracts';
import { DomainError } from '@ndxp/platform';

/** What the registry keeps of a certificate: never the certificate's key, which it never sees. */
export interface CertificateFacts {
  /** SHA-256 of the DER bytes, lower-case hex: what a gateway computes from the TLS peer's certificate. */
  fingerprint: string;
  subject: string;
  /** ISO 8601. */
  notAfter: string;
}

/** TLS certificates of one client subsystem (X-Road's IS certificates): stream `certificate-<client>`. */
export interface CertificateState {
  /** fingerprint → facts of the certificates not revoked. */
  active: Map<string, Omit<CertificateFacts, 'fingerprint'>>;
}

export type CertificateCommand = ({ kind: 'Register'; client: string; at: number } & CertificateFacts) | { kind: 'Revoke'; client: string; fingerprint: string };

export const initialCertificate = (): CertificateState => ({ active: new Map() });

/** Reads one PEM certificate into its facts; refuses anything else (a private key included) with the reason. */
export function readCertificate(pem: string): CertificateFacts {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) throw new DomainError('INVALID', 'send the certificate only, never its private key', 'certificatePem');
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;
  if (blocks !== 1) throw new DomainError('INVALID', `expected one PEM certificate (-----BEGIN CERTIFICATE-----), found ${blocks}`, 'certificatePem');
  let x: X509Certificate;
  try {
    x = new X509Certificate(pem);
  } catch (e) {
    throw new DomainError('INVALID', `not an X.509 certificate: ${(e as Error).message}`, 'certificatePem');
  }
  return {
    fingerprint: createHash('sha256').update(x.raw).digest('hex'),
    subject: x.subject.split('\n').join(', '),
    notAfter: new Date(x.validTo).toISOString(),
  };
}

export function decideCertificate(cmd: CertificateCommand, s: CertificateState): RegistryEvent[] {
  if (cmd.kind === 'Register') {
    if (Date.parse(cmd.notAfter) <= cmd.at) throw new DomainError('INVALID', `the certificate expired on ${cmd.notAfter}`, 'certificatePem');
    if (s.active.has(cmd.fingerprint)) return []; // registering twice changes nothing
    const { client, fingerprint, subject, notAfter } = cmd;
    return [{ type: 'CertificateRegistered', client, fingerprint, subject, notAfter }];
  }
  if (!s.active.has(cmd.fingerprint)) throw new DomainError('NOT_FOUND', `${cmd.client} has no registered certificate ${cmd.fingerprint}`, 'fingerprint');
  return [{ type: 'CertificateRevoked', client: cmd.client, fingerprint: cmd.fingerprint }];
}

export function evolveCertificate(s: CertificateState, e: RegistryEvent): CertificateState {
  const active = new Map(s.active);
  if (e.type === 'CertificateRegistered') active.set(e.fingerprint, { subject: e.subject, notAfter: e.notAfter });
  else if (e.type === 'CertificateRevoked') active.delete(e.fingerprint);
  else return s;
  return { active };
}
