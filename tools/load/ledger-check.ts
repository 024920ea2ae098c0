import { isConnectionError, mayHaveArrived } from './open-load';

/** The ledger against the requests, as a scenario's report and the exchange benchmark both give it. */
export interface LedgerCheck {
  rows: number;
  /** Requests that surely reached a gateway: every one sent, less the connection errors. */
  expected: number;
  /** Of those connection errors, the ones after which the request may still have reached a gateway. */
  reset?: number;
  match: boolean;
  /** Events the projection still had to project when the rows were counted. */
  behind?: number;
}

/**
 * The ledger against the requests: every one that reached a gateway is one row. `expected` leaves out every
 * connection error; the `reset` ones among them may have reached a gateway (a gateway killed after reading the
 * request), so the rows may exceed `expected` by at most that many.
 */
export function ledgerCheck(rows: number, expected: number, reset: number, behind: number): LedgerCheck {
  return { rows, expected, ...(reset ? { reset } : {}), match: rows >= expected && rows <= expected + reset, behind };
}

/** Tells "not projected yet" from "lost": a shortfall while the projection is still behind proves nothing. */
export function ledgerVerdict(l: LedgerCheck): string {
  const reset = l.reset ?? 0;
  if (l.match && reset) return `none lost, none counted twice (${l.rows - l.expected} of ${reset} requests whose connection was reset had reached a gateway)`;
  if (l.match) return 'none lost, none counted twice';
  if (l.behind) return `not yet projected: the projection was still ${l.behind} events behind after the wait, so rows may still come (neither lost nor counted twice is proven)`;
  if (l.rows < l.expected) return `MISMATCH: ${l.expected - l.rows} lost (the projection had caught up)`;
  return `MISMATCH: ${l.rows - l.expected - reset} counted twice or unexpected (the projection had caught up)`;
}

/**
 * Connection errors among outcomes counted by name (the measured seconds' and the warm-up's, each a count per
 * outcome): all of them, and those after which the request may have arrived.
 */
export function connectionErrorsOf(...counts: Array<Record<string, number> | undefined>): { failed: number; reset: number } {
  let failed = 0;
  let reset = 0;
  for (const byOutcome of counts)
    for (const [outcome, n] of Object.entries(byOutcome ?? {})) {
      if (isConnectionError(outcome)) failed += n;
      if (mayHaveArrived(outcome)) reset += n;
    }
  return { failed, reset };
}
