import { createHash } from 'crypto';

/** A completed answer as a retry gets it again. */
export interface StoredAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

interface Entry {
  fingerprint: string;
  expiresAt: number;
  /** Absent while the first request is in flight. */
  done?: { answer: StoredAnswer; transactionId: string };
}

export type Claim = { kind: 'first' } | { kind: 'replay'; answer: StoredAnswer; transactionId: string } | { kind: 'payload-differs' } | { kind: 'in-flight' };

/** What makes two requests "the same" for an Idempotency-Key: method, target and body bytes. */
export function fingerprintOf(method: string, service: string, path: string, rawQuery: string, body: Buffer): string {
  return createHash('sha256').update(`${method} ${service}${path}?${rawQuery}\n`).update(body).digest('base64');
}

/**
 * Safe retries with the IETF `Idempotency-Key` header (draft-ietf-httpapi-idempotency-key-header):
 * a completed answer is replayed to a retry with the same key and payload; the
 * same key with another payload is refused (422), and a retry while the first
 * is still in flight too (409). A 5xx answer is never stored: the key is
 * released so the retry is forwarded. Keys are per client, kept `ttlMs`.
 */
export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly limit = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  claim(client: string, key: string, fingerprint: string): Claim {
    const id = `${client}|${key}`;
    const e = this.entries.get(id);
    if (e && e.expiresAt > this.now()) {
      if (e.fingerprint !== fingerprint) return { kind: 'payload-differs' };
      return e.done ? { kind: 'replay', ...e.done } : { kind: 'in-flight' };
    }
    this.makeRoom();
    this.entries.set(id, { fingerprint, expiresAt: this.now() + this.ttlMs });
    return { kind: 'first' };
  }

  /** Stores the answer of a claimed key, or releases the key when the answer must not be replayed (5xx). */
  settle(client: string, key: string, answer: StoredAnswer, transactionId: string): void {
    const id = `${client}|${key}`;
    const e = this.entries.get(id);
    if (!e) return;
    if (answer.status >= 500) this.entries.delete(id);
    else e.done = { answer, transactionId };
  }

  get size(): number {
    return this.entries.size;
  }

  private makeRoom(): void {
    if (this.entries.size < this.limit) return;
    const now = this.now();
    for (const [k, v] of this.entries) if (v.expiresAt <= now) this.entries.delete(k);
    // Still full: drop the oldest (a Map iterates in insertion order).
    for (const k of this.entries.keys()) {
      if (this.entries.size < this.limit * 0.9) break;
      this.entries.delete(k);
    }
  }
}
