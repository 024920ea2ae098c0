import { CredentialCheck } from '../registry-view/registry-view.service';
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
const reader = (headers: Record<string, string>) => ledgerReaderOf(headers, (t) => t === ADMIN, check);

describe('who reads the ledger', () => {
  it('the admin token reads everything', () => {
    expect(reader({ authorization: `Bearer ${ADMIN}` })).toEqual({ kind: 'admin' });
  });

  it("a client's API key reads as that client (X-API-Key, or a bearer token as the gateway takes it)", () => {
    expect(reader({ 'x-api-key': 'ndxp_hanoi' })).toEqual({ kind: 'client', client: HANOI, keyId: 'k1' });
    expect(reader({ authorization: 'Bearer ndxp_hanoi' })).toEqual({ kind: 'client', client: HANOI, keyId: 'k1' });
    expect(reader({ 'x-api-key': 'ndxp_hanoi', 'x-road-client': HANOI })).toMatchObject({ kind: 'client', client: HANOI });
  });

  it('no credential is a 401 saying which header to send', () => {
    expect(reader({})).toEqual({ statusCode: 401, code: 'CREDENTIAL_REQUIRED', message: expect.stringMatching(/Authorization: Bearer <ADMIN_TOKEN>.*X-API-Key/) });
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

  it('are masked for a client, shown to the admin; other fields are untouched', () => {
    const row = { transactionId: 't', client: HANOI, userId: 'VN0001', issue: 'HS-2026-000123', faultString: null };
    expect(rowFor({ kind: 'admin' }, row)).toEqual(row);
    expect(rowFor({ kind: 'client', client: HANOI, keyId: 'k1' }, row)).toEqual({ ...row, userId: '***001', issue: '***********123' });
    expect(rowFor({ kind: 'client', client: HANOI, keyId: 'k1' }, { ...row, userId: null })).toMatchObject({ userId: null });
  });
});
