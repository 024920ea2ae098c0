import { TokenBuckets } from './rate-limit';

describe('TokenBuckets', () => {
  let t = 0;
  const clock = () => t;
  beforeEach(() => (t = 1_000_000));

  it('given a fresh client, when it sends its burst at once, then all pass and the next is refused with the wait for one token', () => {
    const buckets = new TokenBuckets(10, 20, clock);
    for (let i = 0; i < 20; i++) expect(buckets.take('a')).toEqual({ ok: true });
    expect(buckets.take('a')).toEqual({ ok: false, retryAfterMs: 100 });
  });

  it('given an empty bucket, when time passes, then tokens come back at the rate and never above the burst', () => {
    const buckets = new TokenBuckets(10, 20, clock);
    for (let i = 0; i < 20; i++) buckets.take('a');
    t += 250; // 2.5 tokens
    expect([buckets.take('a'), buckets.take('a'), buckets.take('a')].map((r) => r.ok)).toEqual([true, true, false]);
    t += 60_000;
    let passed = 0;
    while (buckets.take('a').ok) passed++;
    expect(passed).toBe(20);
  });

  it('given a refused request, when the client retries after retryAfterMs, then it passes', () => {
    const buckets = new TokenBuckets(3, 1, clock);
    buckets.take('a');
    const refused = buckets.take('a');
    expect(refused).toEqual({ ok: false, retryAfterMs: 334 });
    t += 334;
    expect(buckets.take('a')).toEqual({ ok: true });
  });

  it('given two clients, when one exhausts its bucket, then the other is not limited', () => {
    const buckets = new TokenBuckets(1, 2, clock);
    buckets.take('a');
    buckets.take('a');
    expect(buckets.take('a').ok).toBe(false);
    expect(buckets.take('b').ok).toBe(true);
  });

  it('given the key bound reached, when a new key arrives, then full buckets are dropped and the map stays bounded', () => {
    const buckets = new TokenBuckets(100, 200, clock, 3);
    for (const k of ['a', 'b', 'c']) buckets.take(k);
    t += 10; // a, b and c refill to the brim
    expect(buckets.take('d').ok).toBe(true);
    expect(buckets.size).toBe(1);
  });

  it('given a clock that goes back, when taking, then no tokens are created from it', () => {
    const buckets = new TokenBuckets(1, 1, clock);
    buckets.take('a');
    t -= 5_000;
    expect(buckets.take('a').ok).toBe(false);
  });

  it('given no rate, when built, then it refuses (0 means off: no buckets at all)', () => {
    expect(() => new TokenBuckets(0, 0, clock)).toThrow(/positive rate/);
  });
});
