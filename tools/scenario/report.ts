import { LedgerCheck, ledgerVerdict } from '../load/ledger-check';
import { percentile } from '../load/open-load';

export interface IntervalPoint {
  /** Simulated time of day at the start of the interval. */
  sim: string;
  realS: number;
  offeredRate: number;
  achievedRate: number;
  p50: number;
  p95: number;
  p99: number;
  errorsByType: Record<string, number>;
  dropped: number;
  consumerLag: number;
  processes: Record<string, { cpu: number; rssMb: number }>;
}

export interface ScenarioReport {
  scenario: string;
  file: string;
  mode: 'scenario' | 'find-capacity';
  startedAt: string;
  realDurationS: number;
  compression: number;
  totals: { offered: number; sent: number; completed: number; dropped: number; serverErrors: number; byOutcome: Record<string, number> };
  /** From when each request was due under the arrival schedule (coordinated omission corrected). */
  latencyMs: { p50: number; p95: number; p99: number };
  /** From when each request was actually sent (what a generator that fell behind would report). */
  latencySentMs?: { p50: number; p95: number; p99: number };
  slo: { p99Ms: number; errorRatio: number; met: boolean; p99Ok: boolean; errorRatioOk: boolean; errorRatio_: number };
  /** behind: transaction events the projection had not applied when the rows were counted (after a bounded wait). */
  /** `reset`: requests whose connection was reset under them; each may have reached a gateway (and be a row) or not. */
  ledger: LedgerCheck;
  breaksAt?: string;
  /** The warm-up before the measured part (not counted in it): its length, the rate it ramped to, and how it went. */
  warmup?: {
    seconds: number;
    peakRate: number;
    /** Seconds of the ramp to the peak, then at the opening rate (reports before these fields ramped all the way). */
    rampS?: number;
    settleS?: number;
    openingRate?: number;
    sent: number;
    completed: number;
    dropped?: number;
    serverErrors: number;
    p50: number;
    p99: number;
  };
  capacity?: { kneeRate: number; steps: Array<{ rate: number; achieved: number; p99: number; errorRatio: number; ok: boolean }> };
  /** resumeMs (broker-kill): the longest time without a successful answer from the kill on. */
  faults: Array<{ at: string; kind: string; detail: string; resumeMs?: number }>;
  series: IntervalPoint[];
}

/** A broker killed during the run: when (real time), and the report's entry that says how answers fared. */
export interface BrokerKill {
  atMs: number;
  entry: ScenarioReport['faults'][number];
}

/**
 * How answers fared after each broker kill: the longest time without a successful answer from the kill on
 * (the leader elections and the clients' metadata refresh), and the server errors within 60 s of it.
 */
export function measureKills(kills: BrokerKill[], okAt: number[], errorAt: number[], endedAt: number): void {
  for (const k of kills) {
    let last = k.atMs;
    let gap = 0;
    for (const t of okAt) {
      if (t < k.atMs) continue;
      gap = Math.max(gap, t - last);
      last = t;
      if (t > k.atMs + 60_000) break;
    }
    const errors = errorAt.filter((t) => t >= k.atMs && t < k.atMs + 60_000).length;
    if (last === k.atMs) {
      k.entry.detail += `; no successful answer after the kill (${endedAt - k.atMs} ms to the end of the run), ${errors} server error(s) within 60 s`;
      continue;
    }
    k.entry.resumeMs = gap;
    k.entry.detail += `; answers resumed: at most ${gap} ms without a successful answer after the kill, ${errors} server error(s) within 60 s`;
  }
}

/** The arrivals of one interval, and what became of them (counted by when they arrived, whenever they finished). */
export interface IntervalBucket {
  offered: number;
  done: number;
  lat: number[];
  errors: Record<string, number>;
  dropped: number;
}

/** What was read while an interval was the latest: the consumers' lag, and each process's CPU and memory. */
export type IntervalSample = Pick<IntervalPoint, 'consumerLag' | 'processes'>;

/**
 * The series, once every answer is in: one point per interval of arrivals, with the sample taken as it ended (or
 * `late` for one never sampled). Summarised while the run went, an interval was cut about one interval after its
 * arrivals: with answers slower than that, the rest of its answers made a second, small point of their own, and a
 * 600 requests/s run was reported breaking "at 42 requests/s offered".
 */
export function intervalPoints(
  buckets: Map<number, IntervalBucket>,
  samples: Map<number, IntervalSample>,
  late: IntervalSample,
  intervalS: number,
  at: (idx: number) => Pick<IntervalPoint, 'sim' | 'realS'>,
): IntervalPoint[] {
  return [...buckets]
    .sort((a, b) => a[0] - b[0])
    .map(([idx, b]) => ({
      ...at(idx),
      offeredRate: b.offered / intervalS,
      achievedRate: b.done / intervalS,
      ...summarise(b.lat),
      errorsByType: b.errors,
      dropped: b.dropped,
      ...(samples.get(idx) ?? late),
    }));
}

/** Latencies of one interval, summarised. */
export function summarise(latencies: number[]): { p50: number; p95: number; p99: number } {
  const s = latencies.slice().sort((a, b) => a - b);
  return { p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99) };
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];

/** A line chart as inline SVG: no script, no fonts or libraries to fetch. */
export function svgChart(
  title: string,
  unit: string,
  xs: string[],
  lines: Array<{ name: string; values: number[] }>,
  opts: { threshold?: number; bands?: Array<[number, number, string]> } = {},
): string {
  const W = 760,
    H = 240,
    L = 60,
    R = 150,
    T = 28,
    B = 34;
  const all = lines.flatMap((l) => l.values.filter((v) => Number.isFinite(v)));
  const max = Math.max(1e-9, ...all, opts.threshold ?? 0) * 1.1;
  const n = Math.max(1, xs.length - 1);
  const x = (i: number) => L + (i / n) * (W - L - R);
  const y = (v: number) => T + (1 - v / max) * (H - T - B);
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">`];
  parts.push(`<text x="${L}" y="18" font-size="14" font-weight="bold">${esc(title)}</text>`);
  for (const [a, b, label] of opts.bands ?? [])
    parts.push(
      `<rect x="${x(a)}" y="${T}" width="${Math.max(2, x(b) - x(a))}" height="${H - T - B}" fill="#fbe3e3"/><text x="${x(a) + 2}" y="${T + 12}" font-size="10" fill="#a33">${esc(label)}</text>`,
    );
  for (let k = 0; k <= 4; k++) {
    const v = (max / 4) * k;
    parts.push(
      `<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e5e5"/><text x="${L - 6}" y="${y(v) + 4}" font-size="10" text-anchor="end">${v >= 100 ? v.toFixed(0) : v.toFixed(2)}</text>`,
    );
  }
  const step = Math.max(1, Math.ceil(xs.length / 8));
  xs.forEach((label, i) => i % step === 0 && parts.push(`<text x="${x(i)}" y="${H - 14}" font-size="10" text-anchor="middle">${esc(label)}</text>`));
  parts.push(`<text x="${L}" y="${H - 2}" font-size="10" fill="#555">simulated time · ${esc(unit)}</text>`);
  if (opts.threshold !== undefined)
    parts.push(
      `<line x1="${L}" x2="${W - R}" y1="${y(opts.threshold)}" y2="${y(opts.threshold)}" stroke="#d62728" stroke-dasharray="5,4"/><text x="${W - R + 4}" y="${y(opts.threshold) + 4}" font-size="10" fill="#d62728">SLO</text>`,
    );
  lines.forEach((l, li) => {
    const pts = l.values.map((v, i) => (Number.isFinite(v) ? `${x(i).toFixed(1)},${y(v).toFixed(1)}` : '')).filter(Boolean);
    if (pts.length) parts.push(`<polyline fill="none" stroke="${COLORS[li % COLORS.length]}" stroke-width="1.8" points="${pts.join(' ')}"/>`);
    parts.push(
      `<rect x="${W - R + 8}" y="${T + li * 16}" width="10" height="10" fill="${COLORS[li % COLORS.length]}"/><text x="${W - R + 22}" y="${T + 9 + li * 16}" font-size="11">${esc(l.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

export function htmlReport(r: ScenarioReport): string {
  const xs = r.series.map((p) => p.sim);
  // Shade each fault's window on the time charts (simulated HH:MM, within one day).
  const faultBands: Array<[number, number, string]> = [];
  const indexAt = (hhmm: string) => {
    const i = xs.findIndex((x) => x >= hhmm);
    return i < 0 ? xs.length - 1 : i;
  };
  r.faults.forEach((f, k) => {
    if (f.kind === 'cleared' || f.kind === 'lgsp-restart' || f.kind === 'app-kill' || f.kind === 'broker-restart') {
      if (f.kind !== 'cleared') faultBands.push([indexAt(f.at), indexAt(f.at), f.kind]);
      return;
    }
    const db = f.detail.split(' ')[0];
    const end = r.faults.slice(k + 1).find((g) => g.kind === 'cleared' && g.detail === db);
    faultBands.push([indexAt(f.at), end ? indexAt(end.at) : xs.length - 1, `${f.kind} ${db}`]);
  });
  const errorTypes = [...new Set(r.series.flatMap((p) => Object.keys(p.errorsByType)))];
  const procNames = [...new Set(r.series.flatMap((p) => Object.keys(p.processes)))];
  const charts = [
    svgChart(
      'Offered and achieved rate',
      'requests/s',
      xs,
      [
        { name: 'offered', values: r.series.map((p) => p.offeredRate) },
        { name: 'achieved', values: r.series.map((p) => p.achievedRate) },
      ],
      { bands: faultBands },
    ),
    svgChart(
      'Latency percentiles',
      'ms',
      xs,
      [
        { name: 'p50', values: r.series.map((p) => p.p50) },
        { name: 'p95', values: r.series.map((p) => p.p95) },
        { name: 'p99', values: r.series.map((p) => p.p99) },
      ],
      { threshold: r.slo.p99Ms, bands: faultBands },
    ),
    svgChart(
      'Errors by fault type',
      'per interval',
      xs,
      errorTypes.length
        ? errorTypes.map((t) => ({ name: t.replace('Server.ServerProxy.', 'Server…'), values: r.series.map((p) => p.errorsByType[t] ?? 0) }))
        : [{ name: 'none', values: r.series.map(() => 0) }],
      { bands: faultBands },
    ),
    svgChart('Consumer lag', 'messages', xs, [{ name: 'lag (all groups)', values: r.series.map((p) => p.consumerLag) }]),
    svgChart(
      'CPU by process',
      'cores',
      xs,
      procNames.map((n) => ({ name: n, values: r.series.map((p) => p.processes[n]?.cpu ?? NaN) })),
    ),
    svgChart(
      'Memory by process',
      'MiB resident',
      xs,
      procNames.map((n) => ({ name: n, values: r.series.map((p) => p.processes[n]?.rssMb ?? NaN) })),
    ),
  ];
  const row = (k: string, v: string) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`;
  const verdict = r.slo.met ? '<span class="ok">SLO met</span>' : '<span class="bad">SLO missed</span>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(r.scenario)}: capacity report</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:980px}table{border-collapse:collapse;margin:12px 0}th,td{border:1px solid #ddd;padding:4px 10px;text-align:left}th{background:#f6f6f6}.ok{color:#1a7f37;font-weight:bold}.bad{color:#c62828;font-weight:bold}figure{margin:16px 0}</style>
</head><body>
<h1>${esc(r.scenario)}</h1>
<p>${verdict} · ${esc(r.mode)} · started ${esc(r.startedAt)} · ${r.realDurationS.toFixed(0)} s real at ×${r.compression} · scenario file ${esc(r.file)}</p>
${r.breaksAt ? `<p class="bad">Where it breaks: ${esc(r.breaksAt)}</p>` : '<p class="ok">No interval broke the SLO.</p>'}
<table>
${row('offered', String(r.totals.offered))}${row('sent', String(r.totals.sent))}${row('completed', String(r.totals.completed))}${row('dropped (not sent)', String(r.totals.dropped))}${row('server errors', String(r.totals.serverErrors))}
${row('latency p50 / p95 / p99 (from when each request was due)', `${r.latencyMs.p50.toFixed(1)} / ${r.latencyMs.p95.toFixed(1)} / ${r.latencyMs.p99.toFixed(1)} ms (SLO p99 ≤ ${r.slo.p99Ms} ms)`)}${r.latencySentMs ? row('latency p50 / p95 / p99 (from when each was sent)', `${r.latencySentMs.p50.toFixed(1)} / ${r.latencySentMs.p95.toFixed(1)} / ${r.latencySentMs.p99.toFixed(1)} ms`) : ''}
${row('error ratio', `${(r.slo.errorRatio_ * 100).toFixed(2)} % (SLO ≤ ${(r.slo.errorRatio * 100).toFixed(2)} %)`)}
${row('ledger', `${r.ledger.rows} rows for ${r.ledger.expected} requests that reached a gateway: ${ledgerVerdict(r.ledger)}`)}
${r.warmup ? row('warm-up (not counted)', warmupText(r.warmup)) : ''}
${r.capacity ? row('capacity (knee)', `${r.capacity.kneeRate.toFixed(0)} requests/s`) : ''}
</table>
${r.faults.length ? `<h2>Fault timeline</h2><table><tr><th>at (simulated)</th><th>fault</th><th>detail</th></tr>${r.faults.map((f) => `<tr><td>${esc(f.at)}</td><td>${esc(f.kind)}</td><td>${esc(f.detail)}</td></tr>`).join('')}</table>` : ''}
${r.capacity ? `<h2>Capacity steps</h2><table><tr><th>offered/s</th><th>achieved/s</th><th>p99 ms</th><th>error ratio</th><th>SLO</th></tr>${r.capacity.steps.map((s) => `<tr><td>${s.rate.toFixed(0)}</td><td>${s.achieved.toFixed(0)}</td><td>${s.p99.toFixed(1)}</td><td>${(s.errorRatio * 100).toFixed(2)} %</td><td>${s.ok ? 'met' : 'missed'}</td></tr>`).join('')}</table>` : ''}
<h2>Series</h2>
${charts.map((c) => `<figure>${c}</figure>`).join('\n')}
<script type="application/json" id="report-data">${JSON.stringify(r).replace(/</g, '\\u003c')}</script>
</body></html>
`;
}

/** The warm-up in one line: what it did, and that it is not in the figures. */
export function warmupText(w: NonNullable<ScenarioReport['warmup']>): string {
  if (w.seconds <= 0) return 'none: the figures include the cold start';
  const p99 = w.completed ? `, p99 ${w.p99.toFixed(1)} ms from when due` : '';
  const dropped = w.dropped ? `, ${w.dropped} dropped (not sent: too many in flight)` : '';
  const shape =
    w.settleS && w.rampS !== undefined && w.openingRate !== undefined
      ? `${w.seconds} s: ramped to the peak ${w.peakRate.toFixed(0)} req/s over ${w.rampS} s, then ${w.settleS} s at the opening ${w.openingRate.toFixed(0)} req/s`
      : `${w.seconds} s ramped to the peak ${w.peakRate.toFixed(0)} req/s`;
  return `${shape}: ${w.sent} sent, ${w.completed} answered${dropped}, ${w.serverErrors} server errors${p99} (not counted)`;
}

/** The terminal summary. */
export function summaryTable(r: ScenarioReport): string {
  const lines = [
    `scenario           ${r.scenario} (${r.mode})`,
    `SLO                ${r.slo.met ? 'met' : 'MISSED'}: p99 ${r.latencyMs.p99.toFixed(1)} ms (≤ ${r.slo.p99Ms}), error ratio ${(r.slo.errorRatio_ * 100).toFixed(2)} % (≤ ${(r.slo.errorRatio * 100).toFixed(2)} %)`,
    `requests           offered ${r.totals.offered}, sent ${r.totals.sent}, completed ${r.totals.completed}, dropped ${r.totals.dropped}, server errors ${r.totals.serverErrors}`,
    `latency            p50 ${r.latencyMs.p50.toFixed(1)} ms, p95 ${r.latencyMs.p95.toFixed(1)} ms, p99 ${r.latencyMs.p99.toFixed(1)} ms (from when each request was due${r.latencySentMs ? `; from when sent: p99 ${r.latencySentMs.p99.toFixed(1)} ms` : ''})`,
    `ledger             ${r.ledger.rows} rows / ${r.ledger.expected} expected: ${ledgerVerdict(r.ledger)}`,
  ];
  if (r.warmup) lines.splice(1, 0, `warm-up            ${warmupText(r.warmup)}`);
  if (r.capacity) lines.push(`capacity (knee)    ${r.capacity.kneeRate.toFixed(0)} requests/s meeting the SLO`);
  for (const f of r.faults.filter((x) => x.kind === 'broker-kill'))
    lines.push(
      `broker kill ${f.at}  ${f.resumeMs === undefined ? 'no successful answer after it' : `answers resumed within ${f.resumeMs} ms (the longest time without a successful answer)`}`,
    );
  lines.push(`where it breaks    ${r.breaksAt ?? 'nowhere: every interval met the SLO'}`);
  const outcomes = Object.entries(r.totals.byOutcome)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  lines.push(`outcomes           ${outcomes}`);
  return lines.join('\n');
}
