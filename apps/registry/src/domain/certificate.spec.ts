import { RegistryEvent } from '@ndxp/contracts';
import { DomainError } from '@ndxp/platform';
import { createLocalCa, issueClientCert } from '@ndxp/infra/tls';
import { CertificateCommand, decideCertificate, evolveCertificate, initialCertificate, readCertificate } from './certificate';

const client = 'VN/GOV/000.00.00.H26/MOTCUA';
const fingerprint = 'ab'.repeat(32);
const at = Date.parse('2026-06-01T00:00:00Z');
const register: CertificateCommand = { kind: 'Register', client, at, fingerprint, subject: `CN=${client}`, notAfter: '2027-06-01T00:00:00.000Z' };
const registered: RegistryEvent = { type: 'CertificateRegistered', client, fingerprint, subject: `CN=${client}`, notAfter: '2027-06-01T00:00:00.000Z' };

/** given events, when a command, then the events it decides (or the error it throws). */
const given = (events: RegistryEvent[]) => ({ when: (cmd: CertificateCommand) => () => decideCertificate(cmd, events.reduce(evolveCertificate, initialCertificate())) });

describe("certificate aggregate (a client subsystem's TLS certificates)", () => {
  it('given none, when one is registered, then CertificateRegistered with its facts', () => {
    expect(given([]).when(register)()).toEqual([registered]);
  });

  it('given it registered, when registered again, then nothing changes', () => {
    expect(given([registered]).when(register)()).toEqual([]);
  });

  it('given none, when an expired certificate is registered, then refused as invalid', () => {
    expect(given([]).when({ ...register, notAfter: '2026-05-31T00:00:00.000Z' })).toThrow(/expired on 2026-05-31/);
  });

  it('given it registered, when revoked, then CertificateRevoked; revoked again, then not found', () => {
    const revoke: CertificateCommand = { kind: 'Revoke', client, fingerprint };
    const revoked: RegistryEvent = { type: 'CertificateRevoked', client, fingerprint };
    expect(given([registered]).when(revoke)()).toEqual([revoked]);
    expect(given([registered, revoked]).when(revoke)).toThrow(DomainError);
    expect(given([registered, revoked]).when(register)()).toEqual([registered]); // registered anew after a revoke
  });
});

describe('reading a certificate for registration', () => {
  it('given a PEM certificate, when read, then its DER SHA-256 fingerprint, subject and expiry', async () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const issued = await issueClientCert(await createLocalCa({ now }), client, { days: 10, now });
    expect(readCertificate(issued.certPem)).toEqual({
      fingerprint: issued.fingerprint,
      subject: `C=VN, O=000.00.00.H26, OU=MOTCUA, CN=${client}`,
      notAfter: '2026-01-11T00:00:00.000Z',
    });
  });

  it.each([
    ['a private key', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n', /never its private key/],
    ['no certificate', 'hello', /found 0/],
    ['a broken certificate', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', /not an X.509 certificate/],
  ])('given %s, when read, then refused with the reason', (_, pem, reason) => {
    expect(() => readCertificate(pem)).toThrow(reason);
  });
});
