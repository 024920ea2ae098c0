import { DEFAULT_RESTART_POLICY, nextRestart } from './supervisor';

describe('nextRestart', () => {
  const p = DEFAULT_RESTART_POLICY;

  it('given a first crash, restarts at once (100 ms): a crashed hub is an outage', () => {
    expect(nextRestart([], 1_000_000, p)).toEqual({ giveUp: false, delayMs: 100, recent: 1 });
  });

  it('given crashes in a row, backs off 1 s, 2 s, then 5 s', () => {
    const now = 1_000_000;
    expect(nextRestart([now - 3000], now, p)).toMatchObject({ delayMs: 1000 });
    expect(nextRestart([now - 3000, now - 2000], now, p)).toMatchObject({ delayMs: 2000 });
    expect(nextRestart([now - 3000, now - 2000, now - 1000], now, p)).toMatchObject({ delayMs: 5000 });
  });

  it('given a sixth crash within a minute, gives up', () => {
    const now = 1_000_000;
    expect(
      nextRestart(
        [1, 2, 3, 4, 5].map((s) => now - s * 1000),
        now,
        p,
      ),
    ).toEqual({ giveUp: true, recent: 6 });
  });

  it('given old crashes outside the window, forgets them', () => {
    const now = 1_000_000;
    expect(nextRestart([now - 120_000, now - 90_000, now - 61_000], now, p)).toEqual({ giveUp: false, delayMs: 100, recent: 1 });
  });
});
