import { RegistryEvent } from '@ndxp/contracts';
import { decideAccessChange, evolveAccess, initialAccess } from './access';
import { decideAgency, evolveAgency, initialAgency } from './agency';
import { decideCredential, evolveCredential, initialCredential } from './credential';
import { DomainError } from '@ndxp/platform';
import { decideService, evolveService, initialService } from './service';

const client = 'VN/GOV/000.00.00.H26/MOTCUA';
const service = 'VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup';

describe('agency aggregate', () => {
  const register = {
    kind: 'RegisterAgency' as const,
    code102: '000.00.00.H26',
    nameVi: 'UBND thành phố Hà Nội',
    nameEn: "Hà Nội People's Committee",
    level: 1,
    category: 'province',
    codeConfirmed: true,
    hasLgsp: true,
  };

  it('registers once, then refuses a second registration', () => {
    const events = decideAgency(register, initialAgency());
    expect(events).toEqual([{ type: 'AgencyRegistered', ...register, kind: undefined }].map(({ kind: _k, ...e }) => e));
    const s = events.reduce(evolveAgency, initialAgency());
    expect(() => decideAgency(register, s)).toThrow(DomainError);
  });

  it('refuses a subsystem of an unknown agency and a duplicate subsystem', () => {
    const sub = { kind: 'RegisterSubsystem' as const, subsystem: client, agency: '000.00.00.H26', name: 'one-stop shop', role: 'client' as const };
    expect(() => decideAgency(sub, initialAgency())).toThrow(/not registered/);
    const s = decideAgency(register, initialAgency()).reduce(evolveAgency, initialAgency());
    const s2 = decideAgency(sub, s).reduce(evolveAgency, s);
    expect(() => decideAgency(sub, s2)).toThrow(/already registered/);
  });
});

describe('access aggregate', () => {
  it('grants idempotently and refuses to revoke what was not granted', () => {
    const grant = { kind: 'Grant' as const, client, service };
    const s = decideAccessChange(grant, initialAccess()).reduce(evolveAccess, initialAccess());
    expect(s.granted.has(service)).toBe(true);
    expect(decideAccessChange(grant, s)).toEqual([]);
    const revoked = decideAccessChange({ kind: 'Revoke', client, service }, s).reduce(evolveAccess, s);
    expect(revoked.granted.size).toBe(0);
    expect(() => decideAccessChange({ kind: 'Revoke', client, service }, revoked)).toThrow(/no access right/);
  });
});

describe('credential aggregate', () => {
  it('issues a key as its hash only, rotates by revoking the old keys', () => {
    const issued = decideCredential({ kind: 'Issue', client, apiKey: 'ndxp_secret_1' }, initialCredential());
    expect(JSON.stringify(issued)).not.toContain('ndxp_secret_1');
    const s = issued.reduce(evolveCredential, initialCredential());
    const rotated = decideCredential({ kind: 'Rotate', client, apiKey: 'ndxp_secret_2' }, s);
    expect(rotated.map((e: RegistryEvent) => e.type)).toEqual(['CredentialIssued', 'CredentialRevoked']);
    const s2 = rotated.reduce(evolveCredential, s);
    expect(s2.active.size).toBe(1);
    expect(() => decideCredential({ kind: 'Revoke', client, keyId: 'nope' }, s2)).toThrow(/no active key/);
    expect(() => decideCredential({ kind: 'Rotate', client, apiKey: 'k' }, initialCredential())).toThrow(/no active key/);
  });
});

describe('service aggregate', () => {
  it('registers a version once', () => {
    const cmd = { kind: 'RegisterService' as const, service, provider: 'p', serviceCode: 'citizen-lookup', version: 'v1', method: 'GET', database: 'population', description: '' };
    const s = decideService(cmd, initialService()).reduce(evolveService, initialService());
    expect(decideService(cmd, s)).toEqual([]);
    expect(decideService({ ...cmd, version: 'v2' }, s)).toHaveLength(1);
  });
});
