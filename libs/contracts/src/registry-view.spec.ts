import { decideAccess, emptyRegistryView, evolveRegistryView, isTestClient, MAX_REGISTRY_POSITION_LEAP, registryPositionProblem } from './registry-view';
import { RegistryEvent } from './registry-events';

const client = 'VN/GOV/000.00.00.H26/MOTCUA';
const provider = 'VN/GOV/000.00.00.G01/CSDLQGDC';
const service = `${provider}/citizen-lookup`;
const base: RegistryEvent[] = [
  { type: 'SubsystemRegistered', subsystem: client, agency: '000.00.00.H26', name: 'one-stop shop', role: 'client' },
  { type: 'SubsystemRegistered', subsystem: provider, agency: '000.00.00.G01', name: 'population', role: 'provider' },
  { type: 'ServiceRegistered', service, provider, serviceCode: 'citizen-lookup', version: 'v1', method: 'GET', database: 'population', description: '' },
];
const fold = (events: RegistryEvent[]) => events.reduce((s, e, i) => evolveRegistryView(s, e, i + 1), emptyRegistryView());

describe('registry view', () => {
  it('denies unless granted', () => {
    expect(decideAccess(fold(base), client, service)).toMatchObject({ allowed: false, reason: 'not-granted' });
  });

  it('allows after a grant and denies again after a revoke', () => {
    const granted = fold([...base, { type: 'AccessGranted', client, service }]);
    expect(decideAccess(granted, client, service)).toEqual({ allowed: true, database: 'population', provider });
    const revoked = fold([...base, { type: 'AccessGranted', client, service }, { type: 'AccessRevoked', client, service }]);
    expect(decideAccess(revoked, client, service)).toMatchObject({ allowed: false, reason: 'not-granted' });
  });

  it('tells an unknown client, member and service apart', () => {
    const s = fold(base);
    expect(decideAccess(s, 'VN/GOV/000.00.00.H29/X', service)).toMatchObject({ reason: 'unknown-client' });
    expect(decideAccess(s, client, 'VN/GOV/000.00.00.G05/NOPE/x')).toMatchObject({ reason: 'unknown-member' });
    expect(decideAccess(s, client, `${provider}/nope`)).toMatchObject({ reason: 'unknown-service' });
  });

  it('marks test clients: the seeded MOTCUA clients, and those registered with testClient', () => {
    const other = 'VN/GOV/000.00.00.H26/HOTICH';
    const tester = 'VN/GOV/000.00.00.H26/KIEMTHU';
    const s = fold([
      ...base,
      { type: 'SubsystemRegistered', subsystem: other, agency: '000.00.00.H26', name: 'civil status', role: 'client' },
      { type: 'SubsystemRegistered', subsystem: tester, agency: '000.00.00.H26', name: 'tests', role: 'client', testClient: true },
      { type: 'SubsystemRegistered', subsystem: 'VN/GOV/000.00.00.G05/MOTCUA', agency: '000.00.00.G05', name: 'a provider', role: 'provider' },
    ]);
    expect([client, other, tester, provider, 'VN/GOV/000.00.00.G05/MOTCUA', 'VN/GOV/000.00.00.H29/MOTCUA'].map((c) => isTestClient(s, c))).toEqual([
      true,
      false,
      true,
      false,
      false,
      false,
    ]);
  });

  it('ignores an event it has already applied', () => {
    const s = fold([...base, { type: 'AccessGranted', client, service }]);
    evolveRegistryView(s, { type: 'AccessRevoked', client, service }, 2); // an old position replayed
    expect(decideAccess(s, client, service).allowed).toBe(true);
  });

  it('marks a revoked credential', () => {
    const s = fold([
      { type: 'CredentialIssued', client, keyId: 'k1', keyHash: 'h1' },
      { type: 'CredentialRevoked', client, keyId: 'k1' },
    ]);
    expect(s.credentials.get('h1')).toEqual({ client, keyId: 'k1', revoked: true });
  });

  it("keeps an LGSP operator's key apart from the client keys, and marks it revoked by its LGSP's revoke only", () => {
    const issued: RegistryEvent = { type: 'OperatorCredentialIssued', lgsp: '000.00.00.H26', keyId: 'k1', keyHash: 'h1' };
    const s = fold([issued]);
    expect(s.operators.get('h1')).toEqual({ lgsp: '000.00.00.H26', keyId: 'k1', revoked: false });
    expect(s.credentials.size).toBe(0);
    expect(fold([issued, { type: 'OperatorCredentialRevoked', lgsp: '000.00.00.H29', keyId: 'k1' }]).operators.get('h1')?.revoked).toBe(false);
    expect(fold([issued, { type: 'OperatorCredentialRevoked', lgsp: '000.00.00.H26', keyId: 'k1' }]).operators.get('h1')?.revoked).toBe(true);
  });

  it('refuses a position far ahead of the last applied (it would hide every later event); takes any position on an empty view', () => {
    const s = fold(base);
    expect(registryPositionProblem(s, 4)).toBeUndefined();
    expect(registryPositionProblem(s, 2)).toBeUndefined(); // a replay: evolve ignores it
    expect(registryPositionProblem(s, 3 + MAX_REGISTRY_POSITION_LEAP)).toBeUndefined();
    expect(registryPositionProblem(s, 4 + MAX_REGISTRY_POSITION_LEAP)).toMatch(/leaps 100001 past the last applied \(3\)/);
    expect(registryPositionProblem(s, Number.MAX_SAFE_INTEGER)).toMatch(/leaps/);
    expect(registryPositionProblem(emptyRegistryView(), 5_000_000)).toBeUndefined(); // old segments deleted: the topic starts late
  });

  it('maps a certificate fingerprint to its client until revoked, and a revoke of another client changes nothing', () => {
    const fp = 'ab'.repeat(32);
    const registered: RegistryEvent = { type: 'CertificateRegistered', client, fingerprint: fp, subject: 'CN=MOTCUA', notAfter: '2030-01-01T00:00:00.000Z' };
    expect(fold([registered]).certificates.get(fp)).toEqual({ client, subject: 'CN=MOTCUA', notAfter: '2030-01-01T00:00:00.000Z', revoked: false });
    const other = fold([registered, { type: 'CertificateRevoked', client: 'VN/GOV/000.00.00.H29/MOTCUA', fingerprint: fp }]);
    expect(other.certificates.get(fp)?.revoked).toBe(false);
    expect(fold([registered, { type: 'CertificateRevoked', client, fingerprint: fp }]).certificates.get(fp)?.revoked).toBe(true);
  });
});
