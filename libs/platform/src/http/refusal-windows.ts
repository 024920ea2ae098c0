/** Refused admin attempts from one remote address are recorded at most once in this long. */
export const REFUSAL_WINDOW_MS = 10_000;
/** Remote addresses whose refusals are counted at one time, at most: past it, the oldest window is closed early. */
export const MAX_REFUSING_ADDRESSES = 10_000;

interface Window<T> {
  timer: NodeJS.Timeout;
  /** The last refusal counted and not yet recorded, and how many there were. */
  last?: T;
  count: number;
}

/**
 * Refused admin attempts, recorded at most once per window per remote address, so that an anonymous loop of
 * POST /admin/… grows the audit trail by a record every 10 s rather than one a request, and never queues far
 * ahead of the admins' own records. The first refusal from an address is recorded at once and opens its
 * window; those that follow within it are counted, and the last of them is recorded when the window closes,
 * carrying their count (which opens the next window). No refusal goes uncounted. At most maxAddresses windows
 * are open: a refusal from one more address closes the oldest early (recording what it counted).
 */
export class RefusalWindows<T> {
  windowMs = REFUSAL_WINDOW_MS;
  maxAddresses = MAX_REFUSING_ADDRESSES;
  private readonly windows = new Map<string, Window<T>>();

  /** `record` is given the refusal to record and how many refusals it stands for (itself included). */
  constructor(private readonly record: (refusal: T, count: number) => void) {}

  refused(address: string, refusal: T): void {
    const open = this.windows.get(address);
    if (open) {
      open.last = refusal;
      open.count++;
      return;
    }
    // Map keeps insertion order, and a window is inserted when it opens: the first is the oldest.
    if (this.windows.size >= this.maxAddresses) this.close(this.windows.keys().next().value!, false);
    this.record(refusal, 1);
    this.open(address);
  }

  /** Closes every window, recording what each counted: at shutdown. */
  flush(): void {
    for (const address of [...this.windows.keys()]) this.close(address, false);
  }

  /** The windows open. */
  get size(): number {
    return this.windows.size;
  }

  private open(address: string): void {
    const timer = setTimeout(() => this.close(address, true), this.windowMs);
    timer.unref();
    this.windows.set(address, { timer, count: 0 });
  }

  /** Records what the window counted; with `reopen`, that record opens the address's next window. */
  private close(address: string, reopen: boolean): void {
    const w = this.windows.get(address);
    if (!w) return;
    clearTimeout(w.timer);
    this.windows.delete(address);
    if (w.last === undefined) return;
    this.record(w.last, w.count);
    if (reopen) this.open(address);
  }
}
