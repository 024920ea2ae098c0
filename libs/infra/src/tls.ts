import 'reflect-metadata'; // @peculiar/x509 resolves its algorithms with tsyringe, which needs it first
import * as x509 from '@peculiar/x509';
import { createHash, webcrypto, X509Certificate as NodeX509Certificate } from 'crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';

/**
 * A local certificate authority for the gateway's mutual TLS, as X-Road's IS certificates are used: the CA
 * signs the gateway's server certificate and each information system's client certificate; the registry
 * keeps each client certificate's SHA-256 fingerprint for its subsystem. ECDSA P-256, SHA-256, PEM files.
 * Not imported from the package index: @peculiar/x509 needs reflect-metadata loaded before it.
 */

type CryptoKey = webcrypto.CryptoKey;
const subtle = webcrypto.subtle;
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const EC: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
const DAY_MS = 86_400_000;

/** A certificate and its private key, PEM. */
export interface Issued {
  certPem: string;
  keyPem: string;
  /** SHA-256 of the certificate's DER, lower-case hex: what the registry and the gateway compare. */
  fingerprint: string;
}

/** SHA-256 of a PEM certificate's DER bytes, lower-case hex. */
export function fingerprintOf(certPem: string): string {
  return createHash('sha256').update(new NodeX509Certificate(certPem).raw).digest('hex');
}

const newKeys = () => subtle.generateKey(EC, true, ['sign', 'verify']);

async function keyPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

function validity(days: number, now: Date): { notBefore: Date; notAfter: Date } {
  // A minute back: a client whose clock is a little behind still accepts it.
  return { notBefore: new Date(now.getTime() - 60_000), notAfter: new Date(now.getTime() + days * DAY_MS) };
}

async function issued(cert: x509.X509Certificate, key: CryptoKey): Promise<Issued> {
  const certPem = cert.toString('pem');
  return { certPem, keyPem: await keyPem(key), fingerprint: fingerprintOf(certPem) };
}

/** A self-signed CA that may sign end-entity certificates only (path length 0). */
export async function createLocalCa(o: { commonName?: string; days?: number; now?: Date } = {}): Promise<Issued> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: [{ CN: [o.commonName ?? 'NDXP emulator local CA'] }, { O: ['ndxp-emulator'] }],
    keys,
    signingAlgorithm: SIGNING,
    ...validity(o.days ?? 3650, o.now ?? new Date()),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return issued(cert, keys.privateKey);
}

async function signedBy(
  ca: Pick<Issued, 'certPem' | 'keyPem'>,
  subject: x509.JsonName,
  usage: x509.ExtendedKeyUsage,
  extra: x509.Extension[],
  days: number,
  now: Date,
): Promise<Issued> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(ca.keyPem), EC, false, ['sign']);
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.create({
    subject,
    issuer: caCert.subject,
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: SIGNING,
    ...validity(days, now),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([usage]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
      ...extra,
    ],
  });
  return issued(cert, keys.privateKey);
}

/** The gateway's server certificate, for the names a local client connects to (localhost and 127.0.0.1 by default). */
export async function issueServerCert(ca: Pick<Issued, 'certPem' | 'keyPem'>, o: { dnsNames?: string[]; ips?: string[]; days?: number; now?: Date } = {}): Promise<Issued> {
  const dnsNames = o.dnsNames ?? ['localhost'];
  const names = [...dnsNames.map((value) => ({ type: 'dns' as const, value })), ...(o.ips ?? ['127.0.0.1', '::1']).map((value) => ({ type: 'ip' as const, value }))];
  const san = new x509.SubjectAlternativeNameExtension(names);
  return signedBy(ca, [{ CN: [dnsNames[0] ?? 'localhost'] }, { O: ['ndxp-emulator LGSP gateway'] }], x509.ExtendedKeyUsage.serverAuth, [san], o.days ?? 825, o.now ?? new Date());
}

/**
 * An information system's client certificate, named after its subsystem (`INSTANCE/CLASS/MEMBER/SUBSYSTEM`):
 * CN is the whole identifier, O the member code, OU the subsystem code. The name only helps people: the
 * gateway identifies the client by the fingerprint the registry holds, as X-Road compares IS certificates.
 */
export async function issueClientCert(ca: Pick<Issued, 'certPem' | 'keyPem'>, subsystem: string, o: { days?: number; now?: Date } = {}): Promise<Issued> {
  const [instance, , member, code] = subsystem.split('/');
  const subject: x509.JsonName = [{ C: [instance === 'VN' ? 'VN' : 'XX'] }, { O: [member ?? subsystem] }, { OU: [code ?? subsystem] }, { CN: [subsystem] }];
  return signedBy(ca, subject, x509.ExtendedKeyUsage.clientAuth, [], o.days ?? 365, o.now ?? new Date());
}

/** Where `tls init` and `tls issue` keep their files. */
export const tlsFiles = (dir: string) => ({
  caCert: join(dir, 'ca.crt'),
  caKey: join(dir, 'ca.key'),
  serverCert: join(dir, 'server.crt'),
  serverKey: join(dir, 'server.key'),
  /** A client's files: the subsystem id with `/` as `_`, e.g. VN_GOV_000.00.00.H26_MOTCUA.crt. */
  client: (subsystem: string) => {
    const base = join(dir, 'clients', subsystem.replace(/[^A-Za-z0-9._-]/g, '_'));
    return { cert: `${base}.crt`, key: `${base}.key` };
  },
});

function writePair(cert: string, key: string, pair: Issued): void {
  writeFileSync(cert, pair.certPem);
  writeFileSync(key, pair.keyPem, { mode: 0o600 });
  chmodSync(key, 0o600);
}

/** Creates the CA and the gateway's server certificate in `dir`; keeps an existing CA unless `force`. */
export async function initTlsDir(dir: string, o: { force?: boolean; dnsNames?: string[]; ips?: string[] } = {}): Promise<{ created: boolean; ca: Issued; server: Issued }> {
  const f = tlsFiles(dir);
  mkdirSync(join(dir, 'clients'), { recursive: true, mode: 0o700 });
  const exists = existsSync(f.caCert) && existsSync(f.caKey);
  const ca = exists && !o.force ? readCa(dir) : await createLocalCa();
  if (!exists || o.force) writePair(f.caCert, f.caKey, ca);
  const server = await issueServerCert(ca, o);
  writePair(f.serverCert, f.serverKey, server);
  return { created: !exists || Boolean(o.force), ca, server };
}

/** The CA of `dir`, or an error that says to run `tls init` first. */
export function readCa(dir: string): Issued {
  const f = tlsFiles(dir);
  if (!existsSync(f.caCert) || !existsSync(f.caKey)) throw new Error(`no CA in ${dir}: run 'npm run ndxp -- tls init --dir ${dir}' first`);
  const certPem = readFileSync(f.caCert, 'utf8');
  return { certPem, keyPem: readFileSync(f.caKey, 'utf8'), fingerprint: fingerprintOf(certPem) };
}

/** Issues a client certificate for `subsystem` with the CA of `dir` and writes it under `dir/clients`. */
export async function issueClientInDir(dir: string, subsystem: string, o: { days?: number } = {}): Promise<Issued & { certFile: string; keyFile: string }> {
  const ca = readCa(dir);
  const files = tlsFiles(dir).client(subsystem);
  mkdirSync(join(dir, 'clients'), { recursive: true, mode: 0o700 });
  const pair = await issueClientCert(ca, subsystem, o);
  writePair(files.cert, files.key, pair);
  return { ...pair, certFile: files.cert, keyFile: files.key };
}
