import { fingerprintOf, IdempotencyStore, StoredAnswer } from './idempotency';

const answer = (status: number): StoredAnswer => ({ status, headers: { 'content-type': 'application/json' }, body: Buffer.from('{}') });
const fp = (body: string) => fingerprintOf('GET', 'VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup', '/001200000001', '', Buffer.from(body));

describe('Idempotency-Key (IETF httpapi draft)', () => {
  it('given a key in flight, when retried, then 409-in-flight; once answered, then the answer is replayed with the first transaction', () => {
    const store = new IdempotencyStore(60_000);
    expect(store.claim('c', 'k', fp('a'))).toEqual({ kind: 'first' });
    expect(store.claim('c', 'k', fp('a'))).toEqual({ kind: 'in-flight' });
    store.settle('c', 'k', answer(200), 't1');
    expect(store.claim('c', 'k', fp('a'))).toEqual({ kind: 'replay', answer: answer(200), transactionId: 't1' });
  });

  it('given the same key with another payload, when claimed, then payload-differs (422); another client’s same key is its own', () => {
    const store = new IdempotencyStore(60_000);
    store.claim('c', 'k', fp('a'));
    store.settle('c', 'k', answer(404), 't1');
    expect(store.claim('c', 'k', fp('b'))).toEqual({ kind: 'payload-differs' });
    expect(store.claim('other', 'k', fp('b'))).toEqual({ kind: 'first' });
  });

  it('given a 5xx answer, when settled, then the key is released and the retry goes through', () => {
    const store = new IdempotencyStore(60_000);
    store.claim('c', 'k', fp('a'));
    store.settle('c', 'k', answer(500), 't1');
    expect(store.claim('c', 'k', fp('a'))).toEqual({ kind: 'first' });
  });

  it('given the key’s time has passed, when claimed again, then it is new; the store stays within its bound', () => {
    let now = 0;
    const store = new IdempotencyStore(1000, 10, () => now);
    store.claim('c', 'k', fp('a'));
    store.settle('c', 'k', answer(200), 't1');
    now = 1001;
    expect(store.claim('c', 'k', fp('b'))).toEqual({ kind: 'first' });
    for (let i = 0; i < 50; i++) store.claim('c', `k${i}`, fp('a'));
    expect(store.size).toBeLessThanOrEqual(10);
  });
});
