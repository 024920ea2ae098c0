import { RefusalWindows } from './refusal-windows';

/** Windows of `windowMs` over at most `maxAddresses`; every record made, as [refusal, count]. */
function windows(windowMs = 10_000, maxAddresses = 100) {
  const recorded: Array<[string, number]> = [];
  const w = new RefusalWindows<string>((refusal, count) => void recorded.push([refusal, count]));
  w.windowMs = windowMs;
  w.maxAddresses = maxAddresses;
  return { w, recorded };
}

describe('refused admin attempts, per remote address', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('given one refusal, then recorded at once, standing for itself', () => {
    const { w, recorded } = windows();
    w.refused('10.0.0.7', 'a1');
    expect(recorded).toEqual([['a1', 1]]);
    jest.advanceTimersByTime(60_000);
    expect(recorded).toEqual([['a1', 1]]);
    expect(w.size).toBe(0);
  });

  it('given a loop of refusals from one address, then one record every 10 s, each carrying the refusals it stands for: none left uncounted', () => {
    const { w, recorded } = windows();
    let n = 0;
    for (let ms = 0; ms < 25_000; ms += 100) {
      w.refused('10.0.0.7', `a${++n}`);
      jest.advanceTimersByTime(100);
    }
    jest.advanceTimersByTime(10_000);
    // at once; at 10 s the last of the 99 after it; at 20 s likewise; at 30 s the 50 of the last 5 s
    expect(recorded).toEqual([
      ['a1', 1],
      ['a100', 99],
      ['a200', 100],
      ['a250', 50],
    ]);
    expect(recorded.reduce((s, [, count]) => s + count, 0)).toBe(n);
  });

  it('given refusals from two addresses, then each has its own window', () => {
    const { w, recorded } = windows();
    w.refused('10.0.0.7', 'a1');
    w.refused('10.0.0.8', 'b1');
    w.refused('10.0.0.7', 'a2');
    expect(recorded).toEqual([
      ['a1', 1],
      ['b1', 1],
    ]);
    jest.advanceTimersByTime(10_000);
    expect(recorded).toEqual([
      ['a1', 1],
      ['b1', 1],
      ['a2', 1],
    ]);
  });

  it('given more addresses than it keeps, then the oldest window is closed early, its count recorded, and no more are kept', () => {
    const { w, recorded } = windows(10_000, 2);
    w.refused('10.0.0.1', 'a1');
    w.refused('10.0.0.1', 'a2');
    w.refused('10.0.0.2', 'b1');
    w.refused('10.0.0.3', 'c1');
    expect(recorded).toEqual([
      ['a1', 1],
      ['b1', 1],
      ['a2', 1],
      ['c1', 1],
    ]);
    expect(w.size).toBe(2);
    for (let i = 0; i < 1000; i++) w.refused(`10.1.${i >> 8}.${i & 255}`, `x${i}`);
    expect(w.size).toBe(2);
  });

  it('given refusals counted and not yet recorded, when flushed (shutting down), then recorded', () => {
    const { w, recorded } = windows();
    w.refused('10.0.0.7', 'a1');
    w.refused('10.0.0.7', 'a2');
    w.refused('10.0.0.7', 'a3');
    w.flush();
    expect(recorded).toEqual([
      ['a1', 1],
      ['a3', 2],
    ]);
    expect(w.size).toBe(0);
  });
});
