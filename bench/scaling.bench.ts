import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { repoRoot } from '@ndxp/infra';
import type { ScenarioReport } from '../tools/scenario/report';

const HELP = `The scaling table of issue #12: throughput, p99 and CPU per role with 1, 2 and 4 processes per role.

  npm run bench:scaling -- [--processes 1,2,4] [--rate 400] [--duration 60] [--warmup 15]

For each count N, runs a flat scenario at --rate requests/s for --duration real seconds (after --warmup)
on a fresh stack with N gateway processes (the 85 LGSPs sharded between them) and N hubs (one consumer
group); the national databases and the registry stay one process each. Prints, per N: the achieved rate,
p50/p99 from the intended arrival time, server errors, the ledger check, and the cores each role used
with the CPU milliseconds it spent per transaction. Writes bench/results/scaling-<time>.json.`;

function list(name: string, fallback: number[]): number[] {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = (process.argv[i + 1] ?? '').split(',').map(Number);
  if (v.some((n) => !Number.isInteger(n) || n < 1 || n > 8)) throw new Error(`--${name} takes whole numbers from 1 to 8 separated by commas (got "${process.argv[i + 1]}")`);
  return v;
}

function positive(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a whole positive number (got "${process.argv[i + 1]}")`);
  return v;
}

interface ScalingRow {
  processes: number;
  rate: number;
  achieved: number;
  p50: number;
  p99: number;
  serverErrors: number;
  ledger: string;
  /** Cores per role, averaged over the scenario's intervals; CPU ms per transaction answered. */
  roles: Record<string, { cores: number; msPerTx: number }>;
}

/** gateway, hub, national databases, registry, kafka, load generator: a role's processes added up. */
function roleOf(processName: string): string {
  if (processName.startsWith('lgsp-')) return 'gateways';
  if (processName.startsWith('ndxp-')) return 'hubs';
  if (processName.startsWith('providers-')) return 'national databases';
  if (processName.startsWith('registry-')) return 'registry';
  if (processName.startsWith('kafka')) return 'kafka';
  return processName;
}

function rowOf(n: number, rate: number, durationS: number, r: ScenarioReport): ScalingRow {
  const measured = r.series.filter((p) => Object.keys(p.processes).length > 0);
  const achieved = r.totals.completed / durationS;
  const roles: ScalingRow['roles'] = {};
  for (const p of measured)
    for (const [name, { cpu }] of Object.entries(p.processes)) {
      const role = roleOf(name);
      roles[role] ??= { cores: 0, msPerTx: 0 };
      roles[role].cores += cpu / measured.length;
    }
  for (const v of Object.values(roles)) v.msPerTx = achieved > 0 ? (v.cores * 1000) / achieved : NaN;
  const ledger = r.ledger.match ? 'none lost, none doubled' : `${r.ledger.rows} rows / ${r.ledger.expected} expected`;
  return { processes: n, rate, achieved, p50: r.latencyMs.p50, p99: r.latencyMs.p99, serverErrors: r.totals.serverErrors, ledger, roles };
}

function scenarioText(n: number, rate: number, durationS: number, warmupS: number): string {
  return [
    `name: scaling-${n}`,
    `description: ${n} gateway and ${n} hub processes at ${rate} requests/s (npm run bench:scaling)`,
    `topology: { lgsps: all, lgspProcesses: ${n}, ndxpProcesses: ${n}, brokers: 1 }`,
    `load: { rate: ${rate}, profile: flat }`,
    `time: { start: "00:00", duration: ${durationS}s, compression: 1, warmup: ${warmupS}s, deadline: 5000 }`,
    `slo: { p99Ms: 250, errorRatio: 0.01 }`,
    '',
  ].join('\n');
}

function table(rows: ScalingRow[]): string[] {
  const roles = [...new Set(rows.flatMap((r) => Object.keys(r.roles)))];
  const f = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
  return [
    `| processes per role | offered/s | achieved/s | p50 ms | p99 ms | server errors | ledger | ${roles.join(' | ')} | all |`,
    `|---|---|---|---|---|---|---|${roles.map(() => '---|').join('')}---|`,
    ...rows.map((r) => {
      const all = Object.values(r.roles).reduce((s, v) => s + v.cores, 0);
      const cells = roles.map((k) => (r.roles[k] ? `${r.roles[k].cores.toFixed(2)} (${r.roles[k].msPerTx.toFixed(2)} ms)` : '–'));
      return `| ${r.processes} | ${r.rate} | ${f(r.achieved)} | ${f(r.p50)} | ${f(r.p99)} | ${r.serverErrors} | ${r.ledger} | ${cells.join(' | ')} | ${all.toFixed(2)} |`;
    }),
  ];
}

function main(): void {
  if (process.argv.includes('--help')) return void console.log(HELP);
  const counts = list('processes', [1, 2, 4]);
  const rate = positive('rate', 400);
  const durationS = positive('duration', 60);
  const warmupS = positive('warmup', 15);
  const work = mkdtempSync(join(tmpdir(), 'ndxp-scaling-'));
  const rows: ScalingRow[] = [];
  for (const n of counts) {
    const file = join(work, `scaling-${n}.yaml`);
    writeFileSync(file, scenarioText(n, rate, durationS, warmupS));
    const reports = join(work, `reports-${n}`);
    console.log(`\n== ${n} gateway(s) and ${n} hub(s) at ${rate}/s for ${durationS} s (+${warmupS} s warm-up), on a fresh stack`);
    const env = { ...process.env };
    for (const k of ['LGSP_PROCESSES', 'NDXP_PROCESSES', 'KAFKA_CLUSTER_SIZE', 'EXCHANGE_TIMEOUT_MS']) delete env[k];
    const run = spawnSync(process.execPath, [join(repoRoot(), 'dist', 'tools', 'cli', 'main.js'), 'scenario', file, '--fresh', '--report-dir', reports], { env, stdio: 'inherit' });
    const json = readdirSync(reports).find((f) => f.endsWith('.json'));
    if (!json) throw new Error(`the scenario with ${n} processes wrote no report (exit ${run.status})`);
    rows.push(rowOf(n, rate, durationS, JSON.parse(readFileSync(join(reports, json), 'utf8')) as ScenarioReport));
  }
  const dir = join(repoRoot(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `scaling-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(out, JSON.stringify({ rate, durationS, warmupS, rows }, null, 2));
  console.log(`\ncores per role (CPU ms per transaction answered), averaged over the measured intervals; PostgreSQL not included`);
  table(rows).forEach((l) => console.log(l));
  console.log(`\nresults: ${out}`);
}

main();
