import { hashApiKey, keyIdOf } from '@ndxp/contracts';
import { DomainError } from '@ndxp/platform';
import { decideOperator, evolveOperator, initialOperator } from './operator';

const lgsp = '000.00.00.H26';
const issue = (apiKey: string) => ({ kind: 'Issue' as const, lgsp, apiKey });

describe('operator credential aggregate (an LGSP operator reads its LGSP’s exchanges)', () => {
  it('given no key, when one is issued, then the event holds its hash and id only, never the key', () => {
    const events = decideOperator(issue('ndxpop_secret_1'), initialOperator());
    expect(events).toEqual([{ type: 'OperatorCredentialIssued', lgsp, keyId: keyIdOf(hashApiKey('ndxpop_secret_1')), keyHash: hashApiKey('ndxpop_secret_1') }]);
    expect(JSON.stringify(events)).not.toContain('ndxpop_secret_1');
  });

  it('given a key, when a second is issued, then both are active (a rotation without a gap), each revocable on its own', () => {
    let s = decideOperator(issue('ndxpop_secret_1'), initialOperator()).reduce(evolveOperator, initialOperator());
    s = decideOperator(issue('ndxpop_secret_2'), s).reduce(evolveOperator, s);
    expect(s.active.size).toBe(2);
    const first = keyIdOf(hashApiKey('ndxpop_secret_1'));
    const revoked = decideOperator({ kind: 'Revoke', lgsp, keyId: first }, s);
    expect(revoked).toEqual([{ type: 'OperatorCredentialRevoked', lgsp, keyId: first }]);
    s = revoked.reduce(evolveOperator, s);
    expect([...s.active.keys()]).toEqual([keyIdOf(hashApiKey('ndxpop_secret_2'))]);
  });

  it('given a key not active (never issued, or revoked already), when revoked, then NOT_FOUND naming the key', () => {
    expect(() => decideOperator({ kind: 'Revoke', lgsp, keyId: 'abcdef012345' }, initialOperator())).toThrow(DomainError);
    const s = decideOperator(issue('k'), initialOperator()).reduce(evolveOperator, initialOperator());
    const keyId = keyIdOf(hashApiKey('k'));
    const gone = decideOperator({ kind: 'Revoke', lgsp, keyId }, s).reduce(evolveOperator, s);
    expect(() => decideOperator({ kind: 'Revoke', lgsp, keyId }, gone)).toThrow(`the operator of LGSP ${lgsp} has no active key ${keyId}`);
  });

  it('given an event of another aggregate, when evolved, then the state is the same object', () => {
    const s = initialOperator();
    expect(evolveOperator(s, { type: 'CredentialRevoked', client: 'VN/GOV/000.00.00.H26/MOTCUA', keyId: 'k' })).toBe(s);
  });
});
