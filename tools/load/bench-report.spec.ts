import { exchangeReport, kafkaRequestsTable, RebuildResult, rebuildReport, RunResult, targetLines, warmupTable, withBenchSection } from './bench-report';

const summary = (p99: number) => ({ count: 100, p50: p99 / 2, p95: p99 * 0.9, p99, p999: p99 * 1.2, max: p99 * 1.5, mean: p99 / 2 });

function run(pipeline: RunResult['pipeline'], rate: number, p99: number, extra: Partial<RunResult> = {}): RunResult {
  return {
    pipeline,
    rate,
    run: 1,
    throughput: rate,
    completed: rate * 20,
    errors: 0,
    dropped: 0,
    sentTotal: rate * 35,
    sent: summary(p99),
    intended: summary(p99),
    generatorCores: 0.1,
    byOutcome: { 'HTTP 200': rate * 20 },
    ...extra,
  };
}

const rebuild: RebuildResult = {
  transactions: 100_000,
  events: 500_000,
  bare: { ms: 2_000, eventsPerS: 250_000 },
  firstProjection: { ms: 8_000 },
  rebuild: { events: 500_000, ms: 7_000, eventsPerS: 71_429 },
  ledgerRows: 100_000,
  countersSum: 100_000,
  nationalDayMinutes: 2.75,
};

describe('bench report', () => {
  it('given 300/s at p99 40 ms and 1,000/s at 180 ms, then the first target is met and the second not, each with its ratio to the baseline', () => {
    const runs = [run('baseline', 300, 20), run('platform', 300, 40), run('baseline', 1000, 30), run('platform', 1000, 180)];
    expect(targetLines(runs)).toEqual([
      "target at 300/s, p99 (due) ≤ 50 ms: MET: 40.0 ms, ×2.0 the baseline's",
      "target at 1000/s, p99 (due) ≤ 100 ms: NOT MET: 180.0 ms, ×6.0 the baseline's",
      'target at 3000/s, p99 (due) ≤ 250 ms: not measured in this run (npm run bench -- --rates 3000)',
    ]);
  });

  it('given the memory of each run, then the memory target is judged on the largest whole stack', () => {
    const runs = [run('platform', 300, 40, { rssMb: { lgsp: 900, kafka: 800 } }), run('platform', 1000, 90, { rssMb: { lgsp: 2000, kafka: 1200 } })];
    expect(targetLines(runs).pop()).toBe('target, the whole stack under 3 GiB (3,072 MiB PSS): NOT MET at the rates run: at most 3200 MiB (1000/s)');
    expect(targetLines(runs.slice(0, 1)).pop()).toBe('target, the whole stack under 3 GiB (3,072 MiB PSS): MET at the rates run: at most 1700 MiB (300/s)');
  });

  it('given a fast run with dropped arrivals, then its target is not met, and the drops are the reason given', () => {
    expect(targetLines([run('platform', 300, 10, { dropped: 3 })])[0]).toBe('target at 300/s, p99 (due) ≤ 50 ms: NOT MET (errors or drops): 10.0 ms');
  });

  it('given runs with their warm-ups, then each warm-up has its row, one that answered nothing shows no p99', () => {
    const warm = run('platform', 1000, 90, { warmup: { sent: 15_000, completed: 14_990, dropped: 3, errors: 2, p99Due: 2_345.67 } });
    const cold = run('baseline', 1000, 30, { run: 2, warmup: { sent: 10, completed: 0, errors: 0, p99Due: 0 } });
    expect(warmupTable([warm, cold]).slice(3)).toEqual(['| 1000 | platform | 1 | 14990 / 15000 | 3 | 2 | 2345.7 |', '| 1000 | baseline | 2 | 0 / 10 | 0 | 0 | – |']);
    expect(exchangeReport([warm], [1000])).toContain('| 1000 | platform | 1 | 14990 / 15000 | 3 | 2 | 2345.7 |');
  });

  it('given the Kafka requests of two runs at one rate, then each API is the median a transaction, the busiest first, and all is their sum', () => {
    const a = run('platform', 300, 40, { kafkaRequests: { OffsetCommit: 3.3, Produce: 2.0, Fetch: 2.2, Heartbeat: 0.001 } });
    const b = run('platform', 300, 40, { run: 2, kafkaRequests: { OffsetCommit: 3.1, Produce: 2.1, Fetch: 2.0, Heartbeat: 0.001 } });
    expect(kafkaRequestsTable([a, b]).slice(1)).toEqual(['| API | 300/s |', '|---|---|', '| OffsetCommit | 3.20 |', '| Fetch | 2.10 |', '| Produce | 2.05 |', '| all | 7.35 |']);
    expect(kafkaRequestsTable([])).toEqual([]);
  });

  it('given 2 reset connections and 1 of them in the ledger, then it does not differ and the reset ones are shown', () => {
    const lines = exchangeReport([run('platform', 300, 40, { rssMb: { lgsp: 200 }, ledger: { rowsAdded: 10_001, requestsReached: 10_000, reset: 2 } })], [300]);
    expect(lines.find((l) => l.includes('10001'))).toContain('| 10001 | 10000 (+ up to 2 reset) |');
  });

  it('given a run whose ledger gained fewer rows than requests reached the gateway, then the report says it differs', () => {
    const lines = exchangeReport([run('platform', 300, 40, { rssMb: { lgsp: 200 }, ledger: { rowsAdded: 9_999, requestsReached: 10_000 } })], [300]);
    expect(lines.find((l) => l.includes('9999'))).toContain('9999 (DIFFERS) | 10000');
  });

  it('given a rebuild at 71,429 events/s of a tenth of a day, then both targets are met and the day is said to be extrapolated', () => {
    const lines = rebuildReport(rebuild);
    expect(lines).toContain('target rebuild ≥ 50,000 events/s: MET (71,429, ×3.5 slower than the bare read)');
    expect(lines).toContain('target national day (2,360,000 transactions) rebuilt in < 5 min: MET (2.8 min, extrapolated from this rate)');
    expect(lines.at(-1)).not.toContain('DIFFERS');
  });

  it('given a rebuild that lost a row, then the ledger line says it differs', () => {
    expect(rebuildReport({ ...rebuild, ledgerRows: 99_999 }).at(-1)).toContain('(DIFFERS)');
  });

  it('given a README with the markers, then only the text between them is replaced; without them, an error that names them', () => {
    const readme = 'intro\n<!-- bench:begin -->\nold figures\n<!-- bench:end -->\noutro\n';
    expect(withBenchSection(readme, 'new figures')).toBe('intro\n<!-- bench:begin -->\nnew figures\n<!-- bench:end -->\noutro\n');
    expect(() => withBenchSection('no markers', 'x')).toThrow("README.md needs one '<!-- bench:begin -->' followed by one '<!-- bench:end -->'");
  });
});
