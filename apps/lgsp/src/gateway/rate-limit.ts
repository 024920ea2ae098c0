/** What a bucket says to one request: go ahead, or wait this long for a token. */
export type Take = { ok: true } | { ok: false; retryAfterMs: number };

/**
 * Token buckets, one per key (a client subsystem): each holds up to `burst`
 * tokens and gains `ratePerSecond` a second; a request takes one or is refused
 * with the wait until the next. A bucket refilled to the brim is the same as
 * none, so full buckets are dropped when the map grows past `maxKeys`: memory
 * stays bounded whatever the keys. Pure but for the clock it is given.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 10_000,
  ) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) throw new Error(`a token bucket needs a positive rate and a burst of at least 1 (got ${ratePerSecond}/s, ${burst})`);
  }

  take(key: string): Take {
    const now = this.now();
    const b = this.buckets.get(key);
    const tokens = b ? Math.min(this.burst, b.tokens + (Math.max(0, now - b.at) * this.ratePerSecond) / 1000) : this.burst;
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: now });
      return { ok: false, retryAfterMs: Math.ceil(((1 - tokens) * 1000) / this.ratePerSecond) };
    }
    if (!b && this.buckets.size >= this.maxKeys) this.sweep(now);
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    return { ok: true };
  }

  /** How many keys have a bucket (for tests and the bound). */
  get size(): number {
    return this.buckets.size;
  }

  private sweep(now: number): void {
    for (const [key, b] of this.buckets) if (b.tokens + ((now - b.at) * this.ratePerSecond) / 1000 >= this.burst) this.buckets.delete(key);
  }
}
