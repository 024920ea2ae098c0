import { ExecutionContext, HttpException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppConfig } from '../config/app-config';
import { AdminAudit, AdminCaller } from './admin-audit';
import { adminCredentialOf, AdminGuard, adminTokenAllows, adminTokenNames, bearerToken } from './admin.guard';

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

describe('the credential an admin request names in the audit trail', () => {
  const config = { ADMIN_TOKEN: 'the-admin-token-1', FAULTS_ADMIN_TOKEN: 'the-faults-token-1' };

  it('given an admin token, then the name of its variable, whichever scope was asked', () => {
    expect(adminCredentialOf(config, 'the-admin-token-1')).toBe('ADMIN_TOKEN');
    expect(adminCredentialOf(config, 'the-faults-token-1')).toBe('FAULTS_ADMIN_TOKEN');
  });

  it('given no token, then none; given another token, or an unset token’s empty value, then unrecognized', () => {
    expect(adminCredentialOf(config, '')).toBe('none');
    expect(adminCredentialOf(config, 'the-projection-token-1')).toBe('unrecognized');
    expect(adminCredentialOf({ ADMIN_TOKEN: 'the-admin-token-1', PROJECTION_ADMIN_TOKEN: '' }, ' ')).toBe('unrecognized');
  });

  it('given two variables set to one token, then ADMIN_TOKEN', () => {
    expect(adminCredentialOf({ ADMIN_TOKEN: 'same-token-123', FAULTS_ADMIN_TOKEN: 'same-token-123' }, 'same-token-123')).toBe('ADMIN_TOKEN');
  });
});

describe('AdminGuard and the audit', () => {
  const config = { ADMIN_TOKEN: 'the-admin-token-1', FAULTS_ADMIN_TOKEN: 'the-faults-token-1' } as AppConfig;
  const reflector = { getAllAndOverride: () => 'registry' } as unknown as Reflector;

  function attempt(method: string, token: string) {
    const calls: AdminCaller[] = [];
    const audit = { record: async (_req: unknown, _res: unknown, caller: AdminCaller) => void calls.push(caller) } as unknown as AdminAudit;
    const req = { method, headers: { authorization: `Bearer ${token}` } };
    const ctx = { getHandler: () => undefined, getClass: () => undefined, switchToHttp: () => ({ getRequest: () => req, getResponse: () => ({}) }) } as unknown as ExecutionContext;
    return { calls, result: new AdminGuard(config, reflector, audit).canActivate(ctx).catch((e: HttpException) => e.getStatus()) };
  }

  it('given a change with the right token, then audited as allowed and let through', async () => {
    const { calls, result } = attempt('POST', 'the-admin-token-1');
    expect(await result).toBe(true);
    expect(calls).toEqual([{ scope: 'registry', credential: 'ADMIN_TOKEN', allowed: true }]);
  });

  it('given a change with a token of another scope, then audited as refused, naming it, and 401', async () => {
    const { calls, result } = attempt('DELETE', 'the-faults-token-1');
    expect(await result).toBe(401);
    expect(calls).toEqual([{ scope: 'registry', credential: 'FAULTS_ADMIN_TOKEN', allowed: false }]);
  });

  it('given a read, then not audited, let through or refused', async () => {
    const ok = attempt('GET', 'the-admin-token-1');
    const refused = attempt('GET', 'wrong-token-1234');
    expect([await ok.result, await refused.result]).toEqual([true, 401]);
    expect([...ok.calls, ...refused.calls]).toEqual([]);
  });
});
