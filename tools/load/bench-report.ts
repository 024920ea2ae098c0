/** The exchange benchmark's results and the report printed from them (and written into the README): pure. */
import { ledgerCheck } from './ledger-check';
import { latencySummary } from './open-load';

export interface RunResult {
  pipeline: 'baseline' | 'platform';
  rate: number;
  run: number;
  throughput: number;
  completed: number;
  errors: number;
  dropped: number;
  /** Requests sent, warm-up included. */
  sentTotal: number;
  /** From when each request was sent. */
  sent: ReturnType<typeof latencySummary>;
  /** From when each request was due (coordinated omission corrected). */
  intended: ReturnType<typeof latencySummary>;
  generatorCores: number;
  byOutcome: Record<string, number>;
  projectorLag?: number;
  /** Cores each process used over the measured seconds (from /proc: user + system time). */
  cores?: Record<string, number>;
  /** Kafka requests the platform's apps sent over the measured seconds, by API, per transaction answered (kafka_client_requests_total). */
  kafkaRequests?: Record<string, number>;
  /** Memory of each process at the end of the run: its proportional share (PSS), MiB; PostgreSQL's processes added up. */
  rssMb?: Record<string, number>;
  /**
   * Ledger rows the run added once the projector caught up, and the requests sent (warm-up included) that surely
   * reached the gateway; `reset`: those whose connection was reset, which may have reached it too (old results lack it).
   */
  ledger?: { rowsAdded: number; requestsReached: number; reset?: number };
  /** The warm-up at the full rate before the measured seconds (not in the figures above): requests sent, answered, server errors, p99 from when due (ms). */
  warmup?: { sent: number; completed: number; dropped?: number; errors: number; p99Due: number; byOutcome?: Record<string, number> };
  /** Where the time went, per stage, from the ledger's timestamps of the measured requests (ms). */
  stages?: StageLatency[];
}

export interface StageLatency {
  stage: string;
  p50: number;
  p99: number;
}

/**
 * The ledger's timestamps split each answered request into stages; their percentiles say which hop the
 * latency is in. All processes share one clock here. Each stage's p99 is its own: they do not add up to the total's.
 */
export const STAGES: Array<[string, string]> = [
  ['gateway in → hub routed', 'routed_at - request_in_at'],
  ['hub routed → national database in', 'provider_in_at - routed_at'],
  ['national database in → out', 'provider_out_at - provider_in_at'],
  ['national database out → answer recorded', 'completed_at - provider_out_at'],
  ['total (gateway in → answer recorded)', 'completed_at - request_in_at'],
];

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Median and spread of one figure over the repeats of a pipeline at a rate. */
export function aggregate(runs: RunResult[], figure: (r: RunResult) => number): { median: number; min: number; max: number } {
  const xs = runs.map(figure);
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

export function exchangeReport(runs: RunResult[], rates: number[], previous?: { runs: RunResult[]; file: string }): string[] {
  const out: string[] = [];
  const log = (l: string) => out.push(l);
  const f = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
  const spread = (a: { median: number; min: number; max: number }) => `${f(a.median)} (${f(a.min)}–${f(a.max)})`;
  log('\nmedian (min–max) over the repeats; latency in ms, "due": from the intended arrival time');
  log('| rate | pipeline | achieved/s | p50 sent | p99 sent | p99 due | p99.9 due | errors | dropped | load gen. cores | projector lag |');
  log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const rate of rates)
    for (const pipeline of ['baseline', 'platform'] as const) {
      const rs = runs.filter((r) => r.rate === rate && r.pipeline === pipeline);
      if (rs.length === 0) continue;
      const lag = rs.map((r) => r.projectorLag).filter((x): x is number => x !== undefined);
      log(
        `| ${rate} | ${pipeline} | ${spread(aggregate(rs, (r) => r.throughput))} | ${spread(aggregate(rs, (r) => r.sent.p50))} | ${spread(aggregate(rs, (r) => r.sent.p99))} | ` +
          `${spread(aggregate(rs, (r) => r.intended.p99))} | ${spread(aggregate(rs, (r) => r.intended.p999))} | ${rs.reduce((n, r) => n + r.errors, 0)} | ` +
          `${rs.reduce((n, r) => n + r.dropped, 0)} | ${spread(aggregate(rs, (r) => r.generatorCores))} | ${lag.length ? lag.join(', ') : '–'} |`,
      );
    }
  for (const pipeline of ['baseline', 'platform'] as const) {
    const measuredCpu = runs.filter((r) => r.cores && r.pipeline === pipeline);
    if (measuredCpu.length === 0) continue;
    const names = [...new Set(measuredCpu.flatMap((r) => Object.keys(r.cores!)))];
    log(`\n${pipeline} CPU over the measured seconds, median of the repeats: cores, and CPU ms per transaction answered`);
    log(`| rate | ${names.join(' | ')} | all |`);
    log(`|---|${names.map(() => '---|').join('')}---|`);
    for (const rate of rates) {
      const rs = measuredCpu.filter((r) => r.rate === rate);
      if (rs.length === 0) continue;
      const cell = (f: (r: RunResult) => number) => {
        const cores = aggregate(rs, f).median;
        const perTx = aggregate(rs, (r) => (f(r) * 1000) / r.throughput).median;
        return `${cores.toFixed(2)} (${perTx.toFixed(2)} ms)`;
      };
      const all = (r: RunResult) => Object.values(r.cores!).reduce((a, b) => a + b, 0);
      log(`| ${rate} | ${names.map((n) => cell((r) => r.cores![n] ?? 0)).join(' | ')} | ${cell(all)} |`);
    }
  }
  out.push(...warmupTable(runs.filter((r) => r.warmup)));
  out.push(...memoryAndLedger(runs.filter((r) => r.pipeline === 'platform')));
  out.push(...stagesTable(runs.filter((r) => r.pipeline === 'platform' && r.stages)));
  out.push(...kafkaRequestsTable(runs.filter((r) => r.pipeline === 'platform' && r.kafkaRequests)));
  for (const rate of rates) {
    const at = (p: string, rs: RunResult[]) => rs.filter((r) => r.rate === rate && r.pipeline === p);
    const [base, plat] = [at('baseline', runs), at('platform', runs)];
    if (base.length && plat.length)
      log(`at ${rate}/s: platform / baseline p99 (due) ×${(aggregate(plat, (r) => r.intended.p99).median / aggregate(base, (r) => r.intended.p99).median).toFixed(2)}`);
    const before = previous && at('platform', previous.runs);
    if (before?.length && plat.length)
      log(
        `at ${rate}/s: platform p99 (due) ${f(aggregate(before, (r) => r.intended.p99).median)} ms in ${previous!.file}, now ${f(aggregate(plat, (r) => r.intended.p99).median)} ms`,
      );
  }
  out.push(...targetLines(runs));
  return out;
}

/** Each run's warm-up, as it went: what was measured after it is warm, and this says how long warm took. */
export function warmupTable(runs: RunResult[]): string[] {
  if (runs.length === 0) return [];
  const out = ['\nthe warm-up of each run, at the full rate and not counted above: answered of sent, dropped, server errors, p99 from when due (ms)'];
  out.push('| rate | pipeline | run | answered / sent | dropped | server errors | p99 due |', '|---|---|---|---|---|---|---|');
  for (const r of runs) {
    const w = r.warmup!;
    out.push(`| ${r.rate} | ${r.pipeline} | ${r.run} | ${w.completed} / ${w.sent} | ${w.dropped ?? 0} | ${w.errors} | ${w.completed ? w.p99Due.toFixed(1) : '–'} |`);
  }
  return out;
}

/** Where the broker's work comes from: the apps' Kafka requests a transaction, by API, median of the repeats. */
export function kafkaRequestsTable(runs: RunResult[]): string[] {
  if (runs.length === 0) return [];
  const rates = [...new Set(runs.map((r) => r.rate))];
  const perRun = (r: RunResult, api?: string) => (api ? (r.kafkaRequests![api] ?? 0) : Object.values(r.kafkaRequests!).reduce((a, b) => a + b, 0));
  const cell = (rate: number, api?: string) => median(runs.filter((r) => r.rate === rate).map((r) => perRun(r, api))).toFixed(2);
  const apis = [...new Set(runs.flatMap((r) => Object.keys(r.kafkaRequests!)))].sort((a, b) => perRun(runs[0], b) - perRun(runs[0], a));
  return [
    "\nplatform Kafka requests a transaction answered, by API (the apps' kafka_client_requests_total over the measured seconds), median of the repeats",
    `| API | ${rates.map((r) => `${r}/s`).join(' | ')} |`,
    `|---|${rates.map(() => '---|').join('')}`,
    ...apis.filter((api) => rates.some((rate) => Number(cell(rate, api)) >= 0.01)).map((api) => `| ${api} | ${rates.map((rate) => cell(rate, api)).join(' | ')} |`),
    `| all | ${rates.map((rate) => cell(rate)).join(' | ')} |`,
  ];
}

function stagesTable(runs: RunResult[]): string[] {
  const out: string[] = [];
  const log = (l: string) => out.push(l);
  if (runs.length === 0) return out;
  log('\nplatform latency by stage, from the ledger of the measured requests answered with success: p50 / p99 ms, median of the repeats');
  log(`| stage | ${[...new Set(runs.map((r) => `${r.rate}/s`))].join(' | ')} |`);
  log(`|---|${[...new Set(runs.map((r) => r.rate))].map(() => '---|').join('')}`);
  for (const [stage] of STAGES) {
    const cells = [...new Set(runs.map((r) => r.rate))].map((rate) => {
      const rs = runs.filter((r) => r.rate === rate);
      const of = (f: (s: StageLatency) => number) => aggregate(rs, (r) => f(r.stages!.find((s) => s.stage === stage)!)).median.toFixed(1);
      return `${of((s) => s.p50)} / ${of((s) => s.p99)}`;
    });
    log(`| ${stage} | ${cells.join(' | ')} |`);
  }
  return out;
}

/** Issue #10: the whole stack under 3 GiB resident; and every request that reached a gateway is one ledger row. */
function memoryAndLedger(runs: RunResult[]): string[] {
  const out: string[] = [];
  const log = (l: string) => out.push(l);
  const measured = runs.filter((r) => r.rssMb);
  if (measured.length === 0) return out;
  const names = [...new Set(measured.flatMap((r) => Object.keys(r.rssMb!)))];
  log(
    '\nplatform memory at the end of each run (proportional set size, shared pages split between the processes that map them), MiB; target: all under 3 GiB = 3,072 MiB; and the ledger check',
  );
  log(`| rate | run | ${names.join(' | ')} | all | ledger rows added | requests that reached the gateway |`);
  log(`|---|---|${names.map(() => '---|').join('')}---|---|---|`);
  for (const r of measured) {
    const all = Object.values(r.rssMb!).reduce((a, b) => a + b, 0);
    const ledger = r.ledger ? ledgerCells(r.ledger) : '– | –';
    log(`| ${r.rate} | ${r.run} | ${names.map((n) => r.rssMb![n] ?? 0).join(' | ')} | ${all}${all > 3072 ? ' (over)' : ''} | ${ledger} |`);
  }
  return out;
}

/** The ledger's two cells: rows added, and the requests that reached the gateway (with the reset ones that may have). */
function ledgerCells(l: NonNullable<RunResult['ledger']>): string {
  const check = ledgerCheck(l.rowsAdded, l.requestsReached, l.reset ?? 0, 0);
  const reached = l.reset ? `${l.requestsReached} (+ up to ${l.reset} reset)` : `${l.requestsReached}`;
  return `${l.rowsAdded}${check.match ? '' : ' (DIFFERS)'} | ${reached}`;
}

/** Issue #10's latency targets: p99 from the intended arrival time, at each offered rate. */
export const LATENCY_TARGETS: Array<{ rate: number; p99Ms: number }> = [
  { rate: 300, p99Ms: 50 },
  { rate: 1000, p99Ms: 100 },
  { rate: 3000, p99Ms: 250 },
];

/** Each target at a rate that was run: met or not, with the platform's p99 (due) and its ratio to the baseline's. */
export function targetLines(runs: RunResult[]): string[] {
  const out: string[] = [];
  for (const t of LATENCY_TARGETS) {
    const plat = runs.filter((r) => r.pipeline === 'platform' && r.rate === t.rate);
    if (plat.length === 0) {
      out.push(`target at ${t.rate}/s, p99 (due) ≤ ${t.p99Ms} ms: not measured in this run (npm run bench -- --rates ${t.rate})`);
      continue;
    }
    const base = runs.filter((r) => r.pipeline === 'baseline' && r.rate === t.rate);
    const p99 = aggregate(plat, (r) => r.intended.p99).median;
    const clean = plat.every((r) => r.errors === 0 && r.dropped === 0);
    const met = p99 <= t.p99Ms && clean;
    const ratio = base.length ? `, ×${(p99 / aggregate(base, (r) => r.intended.p99).median).toFixed(1)} the baseline's` : '';
    const why = clean ? '' : ' (errors or drops)';
    out.push(`target at ${t.rate}/s, p99 (due) ≤ ${t.p99Ms} ms: ${met ? 'MET' : 'NOT MET'}${why}: ${p99.toFixed(1)} ms${ratio}`);
  }
  const measured = runs.filter((r) => r.pipeline === 'platform' && r.rssMb);
  if (measured.length) {
    const worst = measured.reduce((w, r) => (total(r.rssMb!) > total(w.rssMb!) ? r : w));
    const mb = total(worst.rssMb!);
    out.push(`target, the whole stack under 3 GiB (3,072 MiB PSS): ${mb < 3072 ? 'MET' : 'NOT MET'} at the rates run: at most ${mb} MiB (${worst.rate}/s)`);
  }
  return out;
}

const total = (mb: Record<string, number>) => Object.values(mb).reduce((a, b) => a + b, 0);

/** What `npm run bench:rebuild` writes. */
export interface RebuildResult {
  transactions: number;
  events: number;
  bare: { ms: number; eventsPerS: number };
  firstProjection: { ms: number };
  rebuild: { events: number; ms: number; eventsPerS: number };
  ledgerRows: number;
  countersSum: number;
  nationalDayMinutes: number;
}

export const NATIONAL_DAY_TRANSACTIONS = 2_360_000;
export const REBUILD_TARGETS = { eventsPerS: 50_000, nationalDayMinutes: 5 };

/** The rebuild's figures against issue #10's targets, and the ledger check. */
export function rebuildReport(r: RebuildResult): string[] {
  const fmt = (n: number) => Math.round(n).toLocaleString('en');
  const met = (ok: boolean) => (ok ? 'MET' : 'NOT MET');
  const measured = r.transactions >= NATIONAL_DAY_TRANSACTIONS ? 'measured' : 'extrapolated from this rate';
  return [
    '| what | events | time | events/s |',
    '|---|---|---|---|',
    `| bare read of the topic (baseline: a consumer group parsing each record, no database) | ${fmt(r.events)} | ${(r.bare.ms / 1000).toFixed(1)} s | ${fmt(r.bare.eventsPerS)} |`,
    `| first projection (the app's start included) | ${fmt(r.events)} | ${(r.firstProjection.ms / 1000).toFixed(1)} s | ${fmt((r.events / r.firstProjection.ms) * 1000)} |`,
    `| rebuild (stop, offsets forgotten, tables emptied, replay) | ${fmt(r.rebuild.events)} | ${(r.rebuild.ms / 1000).toFixed(1)} s | ${fmt(r.rebuild.eventsPerS)} |`,
    '',
    `target rebuild ≥ ${fmt(REBUILD_TARGETS.eventsPerS)} events/s: ${met(r.rebuild.eventsPerS >= REBUILD_TARGETS.eventsPerS)} (${fmt(r.rebuild.eventsPerS)}, ×${(r.bare.eventsPerS / r.rebuild.eventsPerS).toFixed(1)} slower than the bare read)`,
    `target national day (${fmt(NATIONAL_DAY_TRANSACTIONS)} transactions) rebuilt in < ${REBUILD_TARGETS.nationalDayMinutes} min: ` +
      `${met(r.nationalDayMinutes < REBUILD_TARGETS.nationalDayMinutes)} (${r.nationalDayMinutes.toFixed(1)} min, ${measured})`,
    `ledger after the rebuild: ${fmt(r.ledgerRows)} rows, daily counters sum ${fmt(r.countersSum)}, of ${fmt(r.transactions)} transactions written` +
      (r.ledgerRows === r.transactions && r.countersSum === r.transactions ? '' : ' (DIFFERS)'),
  ];
}

const BEGIN = '<!-- bench:begin -->';
const END = '<!-- bench:end -->';

/** The README with the text between the bench markers replaced; an error if the markers are not there once each. */
export function withBenchSection(readme: string, section: string): string {
  const [b, e] = [readme.indexOf(BEGIN), readme.indexOf(END)];
  if (b < 0 || e < b || readme.indexOf(BEGIN, b + 1) >= 0) throw new Error(`README.md needs one '${BEGIN}' followed by one '${END}'`);
  return `${readme.slice(0, b + BEGIN.length)}\n${section.trim()}\n${readme.slice(e)}`;
}
