import { CredentialCheck, OperatorCheck } from '../registry-view/registry-view.service';
import { ledgerReaderOf, maskIdentifier, rowFor } from './read-access';

const ADMIN = 'the-admin-token-1';
const HANOI = 'VN/GOV/000.00.00.H26/MOTCUA';
const keys: Record<string, CredentialCheck> = {
  ndxp_hanoi: { ok: true, client: HANOI, keyId: 'k1' },
  ndxp_revoked: { ok: false, reason: 'revoked-key', message: `API key k2 of ${HANOI} has been revoked` },
};
const check = (key: string, client?: string): CredentialCheck => {
  const c = keys[key] ?? { ok: false, reason: 'unknown-key', message: 'the API key is not known to the registry' };
  if (c.ok && client !== undefined && client !== c.client)
    return { ok: false, reason: 'wrong-client', message: `the API key belongs to ${c.client}, not to X-Road-Client ${client}` };
  return c;
};
const operators: Record<string, OperatorCheck> = {
  ndxpop_hanoi: { ok: true, lgsp: '000.00.00.H26', keyId: 'o1' },
  ndxpop_revoked: { ok: false, reason: 'revoked-key', message: 'operator key o2 of LGSP 000.00.00.H26 has been revoked' },
};
const checkOperator = (key: string): OperatorCheck => operators[key] ?? { ok: false, reason: 'unknown-key', message: 'the key is not known to the registry' };
const reader = (headers: Record<string, string>) => ledgerReaderOf(headers, { isAdminToken: (t) => t === ADMIN, checkApiKey: check, checkOperatorKey: checkOperator });

describe('who reads the ledger', () => {
  it('the admin token reads everything', () => {
    expect(reader({ authorization: `Bearer ${ADMIN}` })).toEqual({ kind: 'admin' });
  });

  it("a client's API key reads as that client (X-API-Key, or a bearer token as the gateway takes it)", () => {
    expect(reader({ 'x-api-key': 'ndxp_hanoi' })).toEqual({ kind: 'client', client: HANOI, keyId: 'k1' });
    expect(reader({ authorization: 'Bearer ndxp_hanoi' })).toEqual({ kind: 'client', client: HANOI, keyId: 'k1' });
    expect(reader({ 'x-api-key': 'ndxp_hanoi', 'x-road-client': HANOI })).toMatchObject({ kind: 'client', client: HANOI });
  });

  it("an LGSP operator's key reads as that LGSP (X-API-Key or bearer); revoked, or sent with an X-Road-Client, it is a 401 with the reason", () => {
    expect(reader({ 'x-api-key': 'ndxpop_hanoi' })).toEqual({ kind: 'operator', lgsp: '000.00.00.H26', keyId: 'o1' });
    expect(reader({ authorization: 'Bearer ndxpop_hanoi' })).toEqual({ kind: 'operator', lgsp: '000.00.00.H26', keyId: 'o1' });
    expect(reader({ 'x-api-key': 'ndxpop_revoked' })).toMatchObject({ statusCode: 401, code: 'CREDENTIAL_REFUSED', message: expect.stringMatching(/^operator key o2 .* revoked/) });
    expect(reader({ 'x-api-key': 'ndxpop_hanoi', 'x-road-client': HANOI })).toMatchObject({ statusCode: 401, message: expect.stringMatching(/speaks for no client subsystem/) });
  });

  it('no credential is a 401 saying which header to send', () => {
    expect(reader({})).toEqual({ statusCode: 401, code: 'CREDENTIAL_REQUIRED', message: expect.stringMatching(/Authorization: Bearer <ADMIN_TOKEN>.*X-API-Key.*operator/) });
  });

  it('an unknown or revoked key, or another X-Road-Client than the key’s, is a 401 with the reason', () => {
    expect(reader({ 'x-api-key': 'ndxp_guess' })).toMatchObject({ statusCode: 401, code: 'CREDENTIAL_REFUSED', message: expect.stringMatching(/^the API key is not known/) });
    expect(reader({ authorization: 'Bearer wrong-admin-token' })).toMatchObject({ statusCode: 401, code: 'CREDENTIAL_REFUSED' });
    expect(reader({ 'x-api-key': 'ndxp_revoked' })).toMatchObject({ statusCode: 401, message: expect.stringMatching(/has been revoked/) });
    expect(reader({ 'x-api-key': 'ndxp_hanoi', 'x-road-client': 'VN/GOV/000.00.00.H29/MOTCUA' })).toMatchObject({ statusCode: 401, message: expect.stringMatching(/belongs to/) });
  });
});

describe('personal identifiers', () => {
  it('keep their last 3 characters; a short one is hidden whole', () => {
    expect(maskIdentifier('001030000483')).toBe('*********483');
    expect(maskIdentifier('VN0001')).toBe('***001');
    expect(maskIdentifier('abcd')).toBe('****');
    expect(maskIdentifier('')).toBe('****');
  });

  it('are masked for a client and for an LGSP operator, shown to the admin only; other fields are untouched', () => {
    const row = { transactionId: 't', client: HANOI, userId: 'VN0001', issue: 'HS-2026-000123', faultString: null };
    expect(rowFor({ kind: 'admin' }, row)).toEqual(row);
    expect(rowFor({ kind: 'client', client: HANOI, keyId: 'k1' }, row)).toEqual({ ...row, userId: '***001', issue: '***********123' });
    expect(rowFor({ kind: 'client', client: HANOI, keyId: 'k1' }, { ...row, userId: null })).toMatchObject({ userId: null });
    expect(rowFor({ kind: 'operator', lgsp: '000.00.00.H26', keyId: 'o1' }, row)).toEqual({ ...row, userId: '***001', issue: '***********123' });
  });
});
