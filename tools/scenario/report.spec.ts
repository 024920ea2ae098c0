import { BrokerKill, measureKills } from './report';

const kill = (atMs: number): BrokerKill => ({ atMs, entry: { at: '00:03', kind: 'broker-kill', detail: 'Kafka broker 1 killed (SIGKILL)' } });

describe('how answers fared after a broker kill', () => {
  it('given answers every 100 ms, then a 2.5 s hole after the kill, then answers again, then the stall is the hole and the errors are counted', () => {
    const k = kill(10_000);
    const before = Array.from({ length: 100 }, (_, i) => i * 100);
    const after = Array.from({ length: 50 }, (_, i) => 12_500 + i * 100);
    measureKills([k], [...before, 10_050, ...after], [10_500, 11_000, 80_000], 20_000);
    expect(k.entry.resumeMs).toBe(2450);
    expect(k.entry.detail).toBe('Kafka broker 1 killed (SIGKILL); answers resumed: at most 2450 ms without a successful answer after the kill, 2 server error(s) within 60 s');
  });

  it('given no successful answer after the kill, then no resume time, and the report says so', () => {
    const k = kill(10_000);
    measureKills([k], [9_000, 9_900], [10_100], 25_000);
    expect(k.entry.resumeMs).toBeUndefined();
    expect(k.entry.detail).toMatch(/no successful answer after the kill \(15000 ms to the end of the run\), 1 server error\(s\) within 60 s$/);
  });
});
