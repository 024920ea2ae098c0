import { rebuildFromZero, Replayable, waitUntilCaughtUp } from './replay';

/** A projection whose every step is recorded in `steps`; `fail` names the step that throws. */
function projection(fail?: 'resetOffsets' | 'empty' | 'waitCaughtUp') {
  const steps: string[] = [];
  const step = (name: string) => async () => {
    steps.push(name);
    if (name === fail) throw new Error(`${name} failed`);
  };
  const p: Replayable = {
    stop: step('stop'),
    start: step('start'),
    resetOffsets: step('resetOffsets'),
    empty: step('empty'),
    waitCaughtUp: step('waitCaughtUp'),
    replaying: (on) => void steps.push(`replaying ${on}`),
  };
  return { p, steps };
}

describe('a rebuild from offset zero', () => {
  it('given every step done, then stop, reset, empty, and a replay from zero marked as one', async () => {
    const { p, steps } = projection();
    await rebuildFromZero(p, 1000);
    expect(steps).toEqual(['stop', 'resetOffsets', 'empty', 'replaying true', 'start', 'waitCaughtUp', 'replaying false']);
  });

  it('given the reset refused, then the tables are not emptied, the consumer starts again, and the refusal is thrown', async () => {
    const { p, steps } = projection('resetOffsets');
    await expect(rebuildFromZero(p, 1000)).rejects.toThrow('resetOffsets failed');
    expect(steps).toEqual(['stop', 'resetOffsets', 'start']);
  });

  it('given the tables not emptied, then the consumer starts again and the failure is thrown', async () => {
    const { p, steps } = projection('empty');
    await expect(rebuildFromZero(p, 1000)).rejects.toThrow('empty failed');
    expect(steps).toEqual(['stop', 'resetOffsets', 'empty', 'start']);
  });

  it('given the replay not caught up in time, then thrown, and no longer marked as a replay', async () => {
    const { p, steps } = projection('waitCaughtUp');
    await expect(rebuildFromZero(p, 1000)).rejects.toThrow('waitCaughtUp failed');
    expect(steps.at(-1)).toBe('replaying false');
  });
});

describe('waitUntilCaughtUp', () => {
  it('given a projection 3, then 1, then 0 behind, when waited on, then it returns once it is 0', async () => {
    const lags = [3, 1, 0];
    await waitUntilCaughtUp('projection', 'events', async () => lags.shift()!, 5_000);
    expect(lags).toEqual([]);
  });

  it('given a projection that stays 7 behind, when waited on for 300 ms, then it throws saying how far behind it still is', async () => {
    await expect(waitUntilCaughtUp('projection', 'events', async () => 7, 300)).rejects.toThrow('projection still 7 events behind after 300 ms');
  });
});
