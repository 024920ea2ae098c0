import { connectionErrorsOf, ledgerCheck, ledgerVerdict } from './ledger-check';

describe("the ledger check (a scenario's and the exchange benchmark's)", () => {
  it('given as many rows as requests that reached a gateway, then none lost, none counted twice', () => {
    const l = ledgerCheck(460, 460, 0, 0);
    expect(l).toEqual({ rows: 460, expected: 460, match: true, behind: 0 });
    expect(ledgerVerdict(l)).toBe('none lost, none counted twice');
  });

  it('given a gateway killed with 3 requests read and their connections reset, when 2 of them are rows, then it matches and says so', () => {
    const l = ledgerCheck(462, 460, 3, 0);
    expect(l.match).toBe(true);
    expect(ledgerVerdict(l)).toBe('none lost, none counted twice (2 of 3 requests whose connection was reset had reached a gateway)');
  });

  it('given more rows than even the reset requests explain, then a mismatch naming the surplus', () => {
    const l = ledgerCheck(464, 460, 3, 0);
    expect(l.match).toBe(false);
    expect(ledgerVerdict(l)).toBe('MISMATCH: 1 counted twice or unexpected (the projection had caught up)');
  });

  it('given fewer rows than requests that surely reached a gateway, with the projection caught up, then lost', () => {
    expect(ledgerVerdict(ledgerCheck(458, 460, 3, 0))).toBe('MISMATCH: 2 lost (the projection had caught up)');
  });
});

describe('connection errors counted from the outcomes', () => {
  it('given refused, reset and answered requests, then all connection errors are failed and only the non-refused may have arrived', () => {
    const byOutcome = { 'HTTP 200': 90, 'connection error (ECONNREFUSED)': 7, 'connection error (ECONNRESET)': 2, 'connection error (socket hang up)': 1 };
    expect(connectionErrorsOf(byOutcome)).toEqual({ failed: 10, reset: 3 });
    // And the warm-up's outcomes add to the measured seconds' (a reset in the warm-up may have arrived too)
    expect(connectionErrorsOf(byOutcome, { 'connection error (ECONNRESET)': 1 }, undefined)).toEqual({ failed: 11, reset: 4 });
  });
});
