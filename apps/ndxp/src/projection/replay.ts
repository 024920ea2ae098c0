/** What a projection lends to rebuildFromZero: its consumer, its group's offsets and its tables. */
export interface Replayable {
  /** Stops the consumer: it leaves its group. */
  stop(): Promise<void>;
  /** Starts the consumer from its group's committed offsets. */
  start(): Promise<void>;
  /** Moves the group's offsets to the earliest; the broker refuses while any member is in the group (another hub's). */
  resetOffsets(): Promise<void>;
  /** Empties the projection's tables and forgets how far this process had consumed. */
  empty(): Promise<void>;
  waitCaughtUp(timeoutMs: number): Promise<void>;
  /** Set while the replay runs: it meets records already counted and dead-lettered. */
  replaying(on: boolean): void;
}

/**
 * Rebuilds a projection from offset zero, in the one order that keeps it whole: the consumer stopped, the
 * offsets reset, and only then the tables emptied and the topic replayed. A refused reset (another hub's
 * member in the group) leaves the tables as they were, restarts the consumer and is thrown; so does a
 * failure to empty them (the consumer then replays onto the rows there are, which an idempotent
 * projection takes as they come).
 */
export async function rebuildFromZero(p: Replayable, timeoutMs: number): Promise<void> {
  await p.stop();
  try {
    await p.resetOffsets();
    await p.empty();
  } catch (e) {
    await p.start();
    throw e;
  }
  p.replaying(true);
  try {
    await p.start();
    await p.waitCaughtUp(timeoutMs);
  } finally {
    p.replaying(false);
  }
}

/** Polls `behind()` every 200 ms until it is 0; after `timeoutMs`, throws saying how far behind `what` still is. */
export async function waitUntilCaughtUp(what: string, unit: string, behind: () => Promise<number>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let n = await behind(); n > 0; n = await behind()) {
    if (Date.now() > deadline) throw new Error(`${what} still ${n} ${unit} behind after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
