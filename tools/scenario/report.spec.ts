import { BrokerKill, IntervalBucket, intervalPoints, measureKills, ScenarioReport, summaryTable } from './report';

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

describe('the terminal summary', () => {
  /** A report with one answered request and what the test adds. */
  const report = (extra: object) =>
    ({
      scenario: 'default',
      mode: 'scenario',
      slo: { met: true, p99Ms: 250, errorRatio: 0.01, errorRatio_: 0 },
      totals: { offered: 1, sent: 1, completed: 1, dropped: 0, serverErrors: 0, byOutcome: { ok: 1 } },
      latencyMs: { p50: 1, p95: 1, p99: 1 },
      ledger: { rows: 1, expected: 1, match: true },
      faults: [],
      ...extra,
    }) as unknown as ScenarioReport;

  it('given a broker kill in the timeline, then a line says how long answers stalled after it', () => {
    const r = report({
      faults: [
        { at: '00:03', kind: 'broker-kill', detail: 'x', resumeMs: 2450 },
        { at: '00:05', kind: 'broker-kill', detail: 'y' },
      ],
    });
    const lines = summaryTable(r).split('\n');
    expect(lines).toContain('broker kill 00:03  answers resumed within 2450 ms (the longest time without a successful answer)');
    expect(lines).toContain('broker kill 00:05  no successful answer after it');
  });

  it('given a warm-up, then the summary says what it did and that it is not counted; given none, that the figures include the cold start', () => {
    const warmup = { seconds: 10, peakRate: 175.4, sent: 877, completed: 877, serverErrors: 0, p50: 20.5, p99: 310.25 };
    const lines = summaryTable(report({ warmup })).split('\n');
    expect(lines[1]).toBe('warm-up            10 s ramped to the peak 175 req/s: 877 sent, 877 answered, 0 server errors, p99 310.3 ms from when due (not counted)');
    const dropped = summaryTable(report({ warmup: { ...warmup, sent: 800, completed: 800, dropped: 77 } })).split('\n');
    expect(dropped[1]).toContain('800 sent, 800 answered, 77 dropped (not sent: too many in flight), 0 server errors');
    const settled = summaryTable(report({ warmup: { ...warmup, rampS: 7, settleS: 3, openingRate: 12.4 } })).split('\n');
    expect(settled[1]).toMatch(/^warm-up {12}10 s: ramped to the peak 175 req\/s over 7 s, then 3 s at the opening 12 req\/s: 877 sent/);
    const none = summaryTable(report({ warmup: { ...warmup, seconds: 0, sent: 0, completed: 0 } })).split('\n');
    expect(none[1]).toBe('warm-up            none: the figures include the cold start');
  });
});

describe('the series of a run', () => {
  const bucket = (offered: number, ms: number): IntervalBucket => ({ offered, done: offered, lat: Array.from({ length: offered }, () => ms), errors: {}, dropped: 0 });
  const at = (idx: number) => ({ sim: `00:0${idx}`, realS: 10 + idx * 2 });

  it('given intervals of 1,200 arrivals answered in ~1 s, then one point each at 600/s, with the sample taken as each ended', () => {
    const buckets = new Map([
      [1, bucket(1200, 900)],
      [0, bucket(1200, 1100)],
    ]);
    const samples = new Map([[0, { consumerLag: 7, processes: { 'lgsp-1': { cpu: 0.5, rssMb: 300 } } }]]);
    const points = intervalPoints(buckets, samples, { consumerLag: 0, processes: {} }, 2, at);
    expect(points.map((p) => [p.sim, p.realS, p.offeredRate, p.p99, p.consumerLag])).toEqual([
      ['00:00', 10, 600, 1100, 7],
      ['00:01', 12, 600, 900, 0],
    ]);
    expect(points[0].processes['lgsp-1'].cpu).toBe(0.5);
  });
});
