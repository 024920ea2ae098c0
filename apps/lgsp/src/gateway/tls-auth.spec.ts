import { createHash } from 'crypto';
import { emptyRegistryView, evolveRegistryView, RegistryEvent } from '@ndxp/contracts';
import { ConfigError } from '@ndxp/platform';
import { LgspConfig } from '../lgsp.config';
import { certificateAuthentication, lgspTlsOptions, TlsPeer, tlsPeerOf } from './tls-auth';

const CLIENT = 'VN/GOV/000.00.00.H26/MOTCUA';
const OTHER = 'VN/GOV/000.00.00.H26/HOTICH';
const FP = 'a1'.repeat(32);
const FP_OTHER = 'b2'.repeat(32);
const state = (events: RegistryEvent[]) => events.reduce((s, e, i) => evolveRegistryView(s, e, i + 1), emptyRegistryView());
const registered = (client: string, fingerprint: string): RegistryEvent => ({
  type: 'CertificateRegistered',
  client,
  fingerprint,
  subject: 'CN=x',
  notAfter: '2030-01-01T00:00:00Z',
});
const view = state([registered(CLIENT, FP), registered(OTHER, FP_OTHER)]);
const peer = (fingerprint: string, verified = true, error?: string): TlsPeer => ({ certificate: { fingerprint, verified, ...(error ? { error } : {}) } });

describe('authentication by TLS client certificate', () => {
  it('given a verified certificate registered for the X-Road-Client, then that client', () => {
    expect(certificateAuthentication(view, peer(FP), CLIENT, false)).toEqual({ ok: true, client: CLIENT });
    expect(certificateAuthentication(view, peer(FP), CLIENT, true)).toEqual({ ok: true, client: CLIENT });
  });

  it('given a member-level X-Road-Client, then a certificate of one of its subsystems speaks for it; no X-Road-Client, the certificate says who', () => {
    expect(certificateAuthentication(view, peer(FP), 'VN/GOV/000.00.00.H26', false)).toEqual({ ok: true, client: CLIENT });
    expect(certificateAuthentication(view, peer(FP), undefined, false)).toEqual({ ok: true, client: CLIENT });
  });

  it("given another subsystem's certificate, then refused as X-Road does (does not match any IS certificates)", () => {
    expect(certificateAuthentication(view, peer(FP_OTHER), CLIENT, false)).toEqual({
      ok: false,
      message: `Client (SUBSYSTEM:${CLIENT}) TLS certificate does not match any IS certificates`,
    });
  });

  it('given a client with no certificate registered, then "has no IS certificates"; a revoked one counts as none', () => {
    const revoked = state([registered(CLIENT, FP), { type: 'CertificateRevoked', client: CLIENT, fingerprint: FP }]);
    expect(certificateAuthentication(revoked, peer(FP), CLIENT, false)).toEqual({ ok: false, message: `Client (SUBSYSTEM:${CLIENT}) has no IS certificates` });
    expect(certificateAuthentication(revoked, peer(FP), undefined, false)).toMatchObject({ ok: false, message: /is not registered for any client subsystem/ });
  });

  it('given a certificate the CA does not verify, then refused, even when registered; an expired one as X-Road words it', () => {
    expect(certificateAuthentication(view, peer(FP, false, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'), CLIENT, false)).toEqual({
      ok: false,
      message: `Client (SUBSYSTEM:${CLIENT}) TLS certificate is not signed by this LGSP's certificate authority (UNABLE_TO_VERIFY_LEAF_SIGNATURE)`,
    });
    expect(certificateAuthentication(view, peer(FP, false, 'CERT_HAS_EXPIRED'), CLIENT, false)).toEqual({
      ok: false,
      message: `Client (SUBSYSTEM:${CLIENT}) TLS certificate is expired or not yet valid`,
    });
  });

  it('given no certificate (plain HTTP, or HTTPS without one), then the API key decides, unless a certificate is required', () => {
    expect(certificateAuthentication(view, undefined, CLIENT, false)).toBeUndefined();
    expect(certificateAuthentication(view, {}, CLIENT, false)).toBeUndefined();
    const required = { ok: false, message: `Client (SUBSYSTEM:${CLIENT}) specifies HTTPS but did not supply TLS certificate` };
    expect(certificateAuthentication(view, undefined, CLIENT, true)).toEqual(required);
    expect(certificateAuthentication(view, {}, CLIENT, true)).toEqual(required);
  });
});

describe('the peer of a socket', () => {
  it('given plain HTTP, then none; TLS without a certificate, then no certificate; with one, its SHA-256 and verification', () => {
    expect(tlsPeerOf({} as never)).toBeUndefined();
    expect(tlsPeerOf({ encrypted: true, getPeerCertificate: () => ({}) } as never)).toEqual({});
    const raw = Buffer.from('der bytes');
    const s = { encrypted: true, authorized: false, authorizationError: 'CERT_HAS_EXPIRED', getPeerCertificate: () => ({ raw }) };
    const fingerprint = createHash('sha256').update(raw).digest('hex');
    expect(tlsPeerOf(s as never)).toEqual({ certificate: { fingerprint, verified: false, error: 'CERT_HAS_EXPIRED' } });
  });
});

describe('the gateway TLS settings', () => {
  const config = (o: Partial<LgspConfig>) => Object.assign(new LgspConfig(), { LGSP_TLS_REQUIRE_CERT: false }, o);
  const files: Record<string, string> = { '/t/server.crt': 'CERT', '/t/server.key': 'KEY', '/t/ca.crt': 'CA' };
  const read = (p: string) => {
    if (!(p in files)) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
    return files[p];
  };

  it('given none, then plain HTTP only; given all three files, then the options that ask for a client certificate without refusing any', () => {
    expect(lgspTlsOptions(config({}), read)).toBeUndefined();
    expect(lgspTlsOptions(config({ LGSP_TLS_CERT: '/t/server.crt', LGSP_TLS_KEY: '/t/server.key', LGSP_TLS_CA: '/t/ca.crt' }), read)).toEqual({
      cert: 'CERT',
      key: 'KEY',
      ca: 'CA',
      requestCert: true,
      rejectUnauthorized: false,
    });
  });

  it('given some of the files, a missing file, or a required certificate without TLS, then a configuration error naming the setting', () => {
    expect(() => lgspTlsOptions(config({ LGSP_TLS_CERT: '/t/server.crt' }), read)).toThrow(/LGSP_TLS_KEY: must be set/);
    expect(() => lgspTlsOptions(config({ LGSP_TLS_CERT: '/t/server.crt', LGSP_TLS_KEY: '/t/server.key', LGSP_TLS_CA: '/t/nope' }), read)).toThrow(
      /LGSP_TLS_CA: cannot read \/t\/nope \(ENOENT\)/,
    );
    expect(() => lgspTlsOptions(config({ LGSP_TLS_REQUIRE_CERT: true }), read)).toThrow(ConfigError);
  });
});
