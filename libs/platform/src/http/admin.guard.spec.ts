import { adminTokenAllows, adminTokenNames, bearerToken } from './admin.guard';

describe('admin scopes', () => {
  const admin = 'the-admin-token-1';
  const faults = 'the-faults-token-1';
  const projection = 'the-projection-token-1';

  it('without scoped tokens, ADMIN_TOKEN opens every scope and nothing else does', () => {
    const config = { ADMIN_TOKEN: admin };
    for (const scope of ['registry', 'faults', 'projection'] as const) {
      expect(adminTokenAllows(config, scope, admin)).toBe(true);
      expect(adminTokenAllows(config, scope, faults)).toBe(false);
      expect(adminTokenAllows(config, scope, '')).toBe(false);
      expect(adminTokenNames(config, scope)).toEqual(['ADMIN_TOKEN']);
    }
  });

  it('a scoped token opens its own scope only; ADMIN_TOKEN still opens all', () => {
    const config = { ADMIN_TOKEN: admin, FAULTS_ADMIN_TOKEN: faults, PROJECTION_ADMIN_TOKEN: projection };
    expect(adminTokenAllows(config, 'faults', faults)).toBe(true);
    expect(adminTokenAllows(config, 'projection', faults)).toBe(false);
    expect(adminTokenAllows(config, 'registry', faults)).toBe(false);
    expect(adminTokenAllows(config, 'projection', projection)).toBe(true);
    expect(adminTokenAllows(config, 'faults', projection)).toBe(false);
    expect(adminTokenAllows(config, 'registry', projection)).toBe(false);
    for (const scope of ['registry', 'faults', 'projection'] as const) expect(adminTokenAllows(config, scope, admin)).toBe(true);
    expect(adminTokenNames(config, 'faults')).toEqual(['ADMIN_TOKEN', 'FAULTS_ADMIN_TOKEN']);
  });

  it('takes the token from Authorization: Bearer only', () => {
    expect(bearerToken({ headers: { authorization: `Bearer ${admin}` } })).toBe(admin);
    expect(bearerToken({ headers: { authorization: admin } })).toBe('');
    expect(bearerToken({ headers: {} })).toBe('');
  });
});
