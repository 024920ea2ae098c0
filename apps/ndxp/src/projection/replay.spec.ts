import { rebuildFromZero, Replayable } from './replay';

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
