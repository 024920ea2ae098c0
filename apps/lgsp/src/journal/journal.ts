/** A body as the journal holds it: text (UTF-8, or base64 for bytes that are not), or why there is none. */
export interface JournalBody {
  size: number;
  mimeType: string;
  text?: string;
  encoding?: 'base64';
  /** Why `text` is absent or altered: `masked`, `off` (JOURNAL_BODIES=off), `binary` (masked mode keeps no bytes it cannot read), `not-read`. */
  comment?: string;
}

/** One exchange of a client with the gateway: the request as received and the answer as sent, personal data masked at capture. */
export interface JournalEntry {
  /** Position in the journal, from 1; a gap between two entries is what the bounds dropped. */
  seq: number;
  startedAt: number;
  /** Request in to answer out (ms), and its parts: reading the body, then waiting for the answer. */
  timeMs: number;
  timings: { send: number; wait: number; receive: number };
  transactionId?: string;
  /** The client as the request named it (X-Road-Client, or the key's owner in the adapter form); '' when none could be told. */
  client: string;
  service: string;
  xRoadId?: string;
  /** The LGSP the exchange was for: the client's member (as the ledger's `lgsp`); absent when no client could be told. An LGSP's operator reads these. */
  lgsp?: string;
  /** The subsystem whose credential (API key or TLS certificate) the request carried; absent: none that checks out. Reads are limited by it. */
  owner?: string;
  /** `answered`: the provider's answer (or a metaservice's), whatever its status; `fault`: a platform fault, `faultCode` says which. */
  outcome: 'answered' | 'fault';
  faultCode?: string;
  replayed: boolean;
  request: { method: string; url: string; httpVersion: string; headers: Array<[string, string]>; body?: JournalBody };
  response: { status: number; headers: Array<[string, string]>; body: JournalBody };
}

export interface JournalFilter {
  client?: string;
  service?: string;
  xRoadId?: string;
  /** Epoch ms: `from` inclusive, `to` exclusive (as the ledger). */
  from?: number;
  to?: number;
  /** `answered`, `fault`, or a fault code (case-insensitive). */
  outcome?: string;
  /** Only the entries of this credential's subsystem (a client reader). */
  owner?: string;
  /** Only the entries of this LGSP (its operator). */
  lgsp?: string;
  /** The most recent `limit` entries that match. */
  limit?: number;
}

/** What an entry costs in memory, roughly: its strings (2 bytes a character in V8 at worst) and a fixed part. */
export function entryBytes(e: JournalEntry): number {
  let chars = e.request.url.length + (e.transactionId?.length ?? 0) + e.client.length + e.service.length + (e.xRoadId?.length ?? 0) + (e.lgsp?.length ?? 0);
  for (const [n, v] of e.request.headers) chars += n.length + v.length;
  for (const [n, v] of e.response.headers) chars += n.length + v.length;
  chars += e.request.body?.text?.length ?? 0;
  chars += e.response.body.text?.length ?? 0;
  return 2 * chars + 400;
}

export function matches(e: JournalEntry, f: JournalFilter): boolean {
  if (f.owner !== undefined && e.owner !== f.owner) return false;
  if (f.lgsp !== undefined && e.lgsp !== f.lgsp) return false;
  if (f.client !== undefined && e.client !== f.client) return false;
  if (f.service !== undefined && e.service !== f.service) return false;
  if (f.xRoadId !== undefined && e.xRoadId !== f.xRoadId) return false;
  if (f.from !== undefined && e.startedAt < f.from) return false;
  if (f.to !== undefined && e.startedAt >= f.to) return false;
  if (f.outcome !== undefined) {
    const o = f.outcome.toLowerCase();
    if (o === 'answered' || o === 'fault') return e.outcome === o;
    return e.faultCode?.toLowerCase() === o;
  }
  return true;
}

/**
 * The request journal: a ring of the latest entries, bounded by a count and by the memory they take.
 * Past either bound the oldest go first, and are counted as dropped. An entry larger than the byte
 * bound alone is dropped on arrival.
 */
export class RequestJournal {
  private readonly ring: Array<{ entry: JournalEntry; bytes: number } | undefined>;
  private head = 0; // index of the oldest
  private count = 0;
  private bytesHeld = 0;
  private nextSeq = 1;
  private droppedCount = 0;

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number,
    private readonly onDrop: (n: number) => void = () => undefined,
  ) {
    this.ring = new Array<undefined>(Math.max(0, maxEntries));
  }

  get size(): number {
    return this.count;
  }

  get bytes(): number {
    return this.bytesHeld;
  }

  /** Entries dropped since the start, to keep the bounds. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Adds an entry (its `seq` is set here); false when it was dropped at once (journal off, or the entry alone over the byte bound). */
  add(entry: Omit<JournalEntry, 'seq'>): boolean {
    const e = { ...entry, seq: this.nextSeq++ } as JournalEntry;
    const bytes = entryBytes(e);
    if (this.maxEntries === 0 || bytes > this.maxBytes) {
      this.drop(1);
      return false;
    }
    let evicted = 0;
    while (this.count > 0 && (this.count >= this.maxEntries || this.bytesHeld + bytes > this.maxBytes)) {
      this.bytesHeld -= this.ring[this.head]!.bytes;
      this.ring[this.head] = undefined;
      this.head = (this.head + 1) % this.maxEntries;
      this.count--;
      evicted++;
    }
    if (evicted) this.drop(evicted);
    this.ring[(this.head + this.count) % this.maxEntries] = { entry: e, bytes };
    this.count++;
    this.bytesHeld += bytes;
    return true;
  }

  /** The matching entries, oldest first; with `limit`, the latest `limit` of them. */
  find(filter: JournalFilter = {}): JournalEntry[] {
    const limit = filter.limit ?? Infinity;
    const out: JournalEntry[] = [];
    for (let i = this.count - 1; i >= 0 && out.length < limit; i--) {
      const e = this.ring[(this.head + i) % this.maxEntries]!.entry;
      if (matches(e, filter)) out.push(e);
    }
    return out.reverse();
  }

  clear(): void {
    this.ring.fill(undefined);
    this.head = this.count = this.bytesHeld = 0;
  }

  private drop(n: number): void {
    this.droppedCount += n;
    this.onDrop(n);
  }
}
