import { createHash, X509Certificate } from 'crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { createLocalCa, fingerprintOf, initTlsDir, issueClientCert, issueClientInDir, issueServerCert, readCa, tlsFiles } from './tls';

const subsystem = 'VN/GOV/000.00.00.H26/MOTCUA';

describe('local CA for mutual TLS', () => {
  it('given a new CA, when it issues a client certificate, then the chain verifies with node and the fingerprint is the DER SHA-256', async () => {
    const ca = await createLocalCa();
    const client = await issueClientCert(ca, subsystem);
    const caX = new X509Certificate(ca.certPem);
    const clientX = new X509Certificate(client.certPem);
    expect(caX.ca).toBe(true);
    expect(clientX.ca).toBe(false);
    expect(clientX.checkIssued(caX)).toBe(true);
    expect(clientX.verify(caX.publicKey)).toBe(true);
    expect(client.fingerprint).toBe(createHash('sha256').update(clientX.raw).digest('hex'));
    expect(client.fingerprint).toBe(clientX.fingerprint256.replace(/:/g, '').toLowerCase());
    expect(fingerprintOf(client.certPem)).toBe(client.fingerprint);
    expect(clientX.subject).toContain(`CN=${subsystem}`);
    expect(clientX.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']); // clientAuth
    expect(client.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it('given another CA, when a certificate is checked against it, then it does not verify', async () => {
    const [ca, other] = [await createLocalCa(), await createLocalCa()];
    const client = new X509Certificate((await issueClientCert(ca, subsystem)).certPem);
    expect(client.verify(new X509Certificate(other.certPem).publicKey)).toBe(false);
  });

  it('given the default names, when a server certificate is issued, then it is valid for localhost and 127.0.0.1', async () => {
    const ca = await createLocalCa();
    const server = new X509Certificate((await issueServerCert(ca)).certPem);
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
  });

  it('given a number of days and a clock, when issued, then the validity follows them', async () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const ca = await createLocalCa({ now });
    const client = new X509Certificate((await issueClientCert(ca, subsystem, { days: 2, now })).certPem);
    expect(new Date(client.validTo).toISOString()).toBe('2026-01-03T00:00:00.000Z');
  });

  it('given a directory, when init then issue, then the files are written (keys 0600) and init keeps the CA unless forced', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ndxp-tls-'));
    try {
      const first = await initTlsDir(dir);
      expect(first.created).toBe(true);
      const f = tlsFiles(dir);
      expect(statSync(f.caKey).mode & 0o777).toBe(0o600);
      expect(new X509Certificate(readFileSync(f.serverCert)).verify(new X509Certificate(readFileSync(f.caCert)).publicKey)).toBe(true);
      const again = await initTlsDir(dir);
      expect(again.created).toBe(false);
      expect(again.ca.fingerprint).toBe(first.ca.fingerprint);
      const client = await issueClientInDir(dir, subsystem);
      expect(client.certFile).toBe(join(dir, 'clients', 'VN_GOV_000.00.00.H26_MOTCUA.crt'));
      expect(fingerprintOf(readFileSync(client.certFile, 'utf8'))).toBe(client.fingerprint);
      expect(statSync(client.keyFile).mode & 0o777).toBe(0o600);
      expect((await initTlsDir(dir, { force: true })).ca.fingerprint).not.toBe(first.ca.fingerprint);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('given no CA, when reading it, then the error says to run tls init', () => {
    expect(() => readCa('/nonexistent/ndxp-tls')).toThrow(/tls init/);
  });
});
