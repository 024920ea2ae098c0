import { spawn, ChildProcess } from 'child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'fs';
import { join } from 'path';
import { Client } from 'pg';
import { createInterface } from 'readline';
import { DEFAULT_SEED_SECRET, SERVICES, seedApiKey, serviceKeyOf } from '@ndxp/contracts';
import { DEV_MODE_MARK } from '@ndxp/platform';
import { APP_NODE_FLAGS, AppProcess, APPS, dropDatabase, freePort, repoRoot, spawnApp, startInfra, stopApps, waitHealthy } from '@ndxp/infra';
import { latencySummary, LoadRequest, LoadResult, openLoad } from '../tools/load/open-load';
import { connectionErrorsOf } from '../tools/load/ledger-check';
import { exchangeReport, RunResult, STAGES, StageLatency } from '../tools/load/bench-report';
import { CpuProfile, placeTable, ProfileSummary, summarise } from '../tools/profile/cpu-profile';
import { ProcessMeter } from '../tools/scenario/procstats';

const HELP = `End-to-end benchmark of the exchange's hot path, at fixed open-model arrival rates.

  npm run bench -- [--rates 300,1000,3000] [--repeat 3] [--duration 30] [--warmup 20]
                   [--skip-baseline] [--profile] [--compare <results.json>]

Runs two pipelines on one Kafka broker and database, one after the other at each rate:
  baseline  HTTP → Kafka → hub → Kafka → provider → back, batched kafkajs, no platform logic
  platform  LGSP (X-Road parsing, API key, access check) → Kafka → NDXP (events, deadline)
            → Kafka → national database (PostgreSQL query) → back; ledger projected meanwhile
Each run: a warm-up at the full rate (not counted), then the measured seconds. Latency is kept in HDR
histograms twice: from when each request was sent, and from when it was due under the arrival
schedule (the wrk2 correction for coordinated omission: a load generator that falls behind does not
hide the queueing). Each rate is run --repeat times; the report gives the median and the spread
(min–max) of the runs, the platform/baseline ratio of the medians, the load generator's CPU, and the
projector's lag after each platform run; the CPU and memory (PSS) of every process; the ledger check
(once the projector has caught up, the rows a run added against the requests that reached the
gateway); the latency of each stage from the ledger's timestamps; and issue #10's targets, met or not.
  --profile   CPU-profiles every platform app during the measured seconds of the first run at each
              rate (SIGUSR2, see libs/platform/src/app/cpu-profiler.ts) and prints where the CPU went
  --compare   a previous results file (default: the latest in bench/results/) to print the change
Results are written to bench/results/exchange-<time>.json.`;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number (got "${process.argv[i + 1]}")`);
  return v;
}

/** A whole number of seconds, 0 allowed: the measured window starts on a whole second. */
function wholeSeconds(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} must be a whole number of seconds, 0 or more (got "${process.argv[i + 1]}")`);
  return v;
}

function listArg(name: string, fallback: number[]): number[] {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = (process.argv[i + 1] ?? '').split(',').map(Number);
  if (v.length === 0 || v.some((n) => !Number.isFinite(n) || n <= 0)) throw new Error(`--${name} takes positive numbers separated by commas (got "${process.argv[i + 1]}")`);
  return v;
}

const log = (l: string) => process.stdout.write(`${l}\n`);

async function stageLatencies(databaseUrl: string, fromMs: number): Promise<StageLatency[]> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const ms = (interval: string) => `extract(epoch from ${interval}) * 1000`;
    const cols = STAGES.map(
      ([, interval], i) => `percentile_cont(0.5) WITHIN GROUP (ORDER BY ${ms(interval)}) AS p50_${i}, percentile_cont(0.99) WITHIN GROUP (ORDER BY ${ms(interval)}) AS p99_${i}`,
    );
    const sql = `SELECT ${cols.join(', ')} FROM ndxp.transactions WHERE request_in_at >= to_timestamp($1 / 1000.0) AND outcome = 'success'`;
    const row = (await db.query(sql, [fromMs])).rows[0] as Record<string, number | null>;
    return STAGES.map(([stage], i) => ({ stage, p50: Number(row[`p50_${i}`] ?? NaN), p99: Number(row[`p99_${i}`] ?? NaN) }));
  } finally {
    await db.end();
  }
}

function runResult(pipeline: RunResult['pipeline'], rate: number, run: number, r: LoadResult): RunResult {
  return {
    pipeline,
    rate,
    run,
    throughput: r.throughput,
    completed: r.completed,
    errors: r.errors,
    dropped: r.dropped,
    sentTotal: r.sentTotal,
    sent: latencySummary(r.sentUs),
    intended: latencySummary(r.intendedUs),
    generatorCores: r.generatorCores,
    byOutcome: r.byOutcome,
    warmup: {
      sent: r.warmup.sent,
      completed: r.warmup.completed,
      dropped: r.warmup.dropped,
      errors: r.warmup.errors,
      p99Due: latencySummary(r.warmup.dueUs).p99,
      byOutcome: r.warmup.byOutcome,
    },
  };
}

async function runLoad(name: string, port: number, rate: number, durationS: number, warmupS: number, next: (i: number) => Omit<LoadRequest, 'port'>, onMeasuring?: () => void) {
  log(`\n== ${name}: ${rate} req/s for ${durationS} s (+${warmupS} s warm-up)`);
  if (warmupS === 0) onMeasuring?.();
  return openLoad({
    rateAt: () => rate,
    durationS,
    warmupS,
    next: (i) => ({ ...next(i), port }),
    onSecond: (s) => {
      if (s.second === warmupS) onMeasuring?.();
      if (s.second % 5 === 0 || s.errors > 0)
        log(
          `  ${name} t=${String(s.second).padStart(3)}s  done ${String(s.rate).padStart(5)}/s  p99 ${s.p99.toFixed(0).padStart(5)} ms  server errors ${s.errors}  in flight ${s.inFlight}`,
        );
    },
  });
}

/** An app's Prometheus exposition, or nothing when it does not answer (its figures are then left out). */
function metricsOf(port: number): Promise<string> {
  return fetch(`http://127.0.0.1:${port}/metrics`).then(
    (r) => r.text(),
    () => '',
  );
}

/** Kafka requests sent so far by every app, by API, summed over clients (kafka_client_requests_total). */
async function kafkaRequests(apps: AppProcess[]): Promise<Record<string, number>> {
  const byApi: Record<string, number> = {};
  for (const a of apps) {
    for (const line of (await metricsOf(a.port)).split('\n')) {
      const m = /^kafka_client_requests_total\{[^}]*api="([^"]+)"[^}]*\} (\d+)/.exec(line);
      if (m) byApi[m[1]] = (byApi[m[1]] ?? 0) + Number(m[2]);
    }
  }
  return byApi;
}

/** The requests between two readings, per transaction answered. */
function perTransaction(from: Record<string, number>, to: Record<string, number>, transactions: number): Record<string, number> {
  return Object.fromEntries(Object.entries(to).map(([api, n]) => [api, transactions ? (n - (from[api] ?? 0)) / transactions : 0]));
}

/** The projector's consumer lag, from the hub's metrics. */
async function projectorLag(ndxpPort: number): Promise<number | undefined> {
  const line = (await metricsOf(ndxpPort)).split('\n').find((l) => l.startsWith('kafka_consumer_lag_messages{') && l.includes('group="ndxp-projector"'));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : undefined;
}

async function main(): Promise<void> {
  if (process.argv.includes('--help')) return void log(HELP);
  const rates = listArg('rates', [listArg('rate', [1000])[0]]);
  const repeat = arg('repeat', 3);
  const durationS = arg('duration', 30);
  const warmupS = wholeSeconds('warmup', 20); // JIT and broker warm-up: not steady state
  const profile = process.argv.includes('--profile');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dir = join(repoRoot(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const previous = previousResults(dir);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NDXP_RUN_DIR: join(repoRoot(), '.ndxp', 'bench'),
    NDXP_DATABASE: 'ndxp_bench',
    KAFKA_PORT: String(await freePort()),
    KAFKA_CONTROLLER_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
  };
  delete env.KAFKA_BROKERS;
  delete env.DATABASE_URL;
  await dropDatabase(`postgres://postgres@127.0.0.1:5432/ndxp_bench`).catch(() => undefined);
  const infra = await startInfra({ env, log: (l) => log(`  ${l}`), fresh: true });
  const runs: RunResult[] = [];
  const profiles: Array<{ rate: number; app: string; summary: ProfileSummary }> = [];
  const workers: ChildProcess[] = [];
  const apps: AppProcess[] = [];
  try {
    const frontPort = process.argv.includes('--skip-baseline') ? undefined : await startBaseline(infra, env, workers);
    const profileDir = join(dir, `profile-${stamp}`);
    const ports = Object.fromEntries(await Promise.all(APPS.map(async (a) => [a, await freePort()])));
    for (const app of APPS) {
      const extra: Record<string, string> = profile ? { NDXP_CPU_PROFILE_DIR: profileDir } : {};
      const p = spawnApp(app, ports[app], infra, env, (l) => (/ERROR|WARN/.test(l) && !l.includes(DEV_MODE_MARK) ? log(`  ${l}`) : undefined), undefined, extra);
      apps.push(p);
      await waitHealthy(p, 90_000);
    }
    const next = await platformRequests(infra.databaseUrl);
    for (const rate of rates)
      for (let k = 1; k <= repeat; k++) {
        if (frontPort) {
          const meter = new ProcessMeter();
          const roles = ['provider', 'hub', 'front'];
          const measured = () => meter.sample([...workers.map((w, i) => ({ name: `baseline-${roles[i]}`, pid: w.pid })), { name: 'kafka', pid: infra.kafkaPid }]);
          const echo = (i: number) => ({ method: 'GET', path: `/echo/${i}`, headers: {} });
          const b = runResult('baseline', rate, k, await runLoad(`baseline ${k}/${repeat}`, frontPort, rate, durationS, warmupS, echo, measured));
          b.cores = byRole(measured(), (p) => p.cpu);
          runs.push(b);
        }
        const profiling = profile && k === 1;
        const signal = () => profiling && apps.forEach((a) => a.child.pid && signalQuietly(a.child.pid));
        if (profiling) mkdirSync(join(profileDir, String(rate)), { recursive: true });
        const rowsBefore = await ledgerRows(infra.databaseUrl);
        const measuredFrom = Date.now() + warmupS * 1000;
        const meter = new ProcessMeter();
        const measured = () => meter.sample(processesOf(apps, infra.kafkaPid));
        let requestsFrom: Promise<Record<string, number>> = kafkaRequests(apps);
        const measuring = () => {
          signal();
          measured();
          requestsFrom = kafkaRequests(apps);
        };
        const r = runResult('platform', rate, k, await runLoad(`platform ${k}/${repeat}`, ports.lgsp, rate, durationS, warmupS, next, measuring));
        const end = measured();
        r.kafkaRequests = perTransaction(await requestsFrom, await kafkaRequests(apps), r.completed);
        r.cores = byRole(end, (p) => p.cpu);
        r.rssMb = byRole(pssOf(processesOf(apps, infra.kafkaPid)), (p) => p.rssMb);
        signal();
        r.projectorLag = await projectorLag(ports.ndxp);
        // Every request sent, warm-up included, less the connection errors; the reset ones may have arrived.
        const { failed, reset } = connectionErrorsOf(r.byOutcome, r.warmup?.byOutcome);
        r.ledger = { rowsAdded: (await ledgerCaughtUp(ports.ndxp, infra.databaseUrl)) - rowsBefore, requestsReached: r.sentTotal - failed, reset };
        r.stages = await stageLatencies(infra.databaseUrl, measuredFrom);
        runs.push(r);
        if (profiling) profiles.push(...(await readProfiles(profileDir, rate, apps)));
      }
  } finally {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    await stopApps(apps);
    await infra.stop();
  }
  // Written first: a report that fails must not lose the runs.
  const file = join(dir, `exchange-${stamp}.json`);
  // The platform's apps read these; the baseline's workers do not.
  const settings = Object.fromEntries(['KAFKA_LINGER_MS', 'KAFKA_FETCH_MAX_WAIT_MS', 'KAFKA_FETCH_MIN_BYTES'].map((k) => [k, process.env[k] ?? 'default']));
  writeFileSync(file, JSON.stringify({ rates, repeat, durationS, warmupS, settings, runs, profiles }, null, 2));
  exchangeReport(runs, rates, previous).forEach((l) => log(l));
  for (const p of profiles) log(`\n${placeTable(`${p.app} at ${p.rate}/s`, p.summary)}`);
  log(`\nresults: ${file}`);
}

/** SIGUSR2 to an app (its CPU profile starts or is written); an app gone meanwhile is said, not thrown from a timer. */
function signalQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGUSR2');
  } catch (e) {
    log(`  could not signal pid ${pid} for its CPU profile: ${(e as Error).message}`);
  }
}

/** The processes whose CPU a platform run measures: the apps, the broker, and every PostgreSQL process. */
function processesOf(apps: AppProcess[], kafkaPid: number | undefined): Array<{ name: string; pid: number | undefined }> {
  const postgres = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres';
      } catch {
        return false;
      }
    })
    .map((pid) => ({ name: `postgres:${pid}`, pid: Number(pid) }));
  return [...apps.map((a) => ({ name: a.instance, pid: a.child.pid })), { name: 'kafka', pid: kafkaPid }, ...postgres];
}

/** A figure per process (cores, memory), PostgreSQL's processes added up. */
function byRole(sample: Record<string, { cpu: number; rssMb: number }>, figure: (p: { cpu: number; rssMb: number }) => number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, p] of Object.entries(sample)) {
    const key = name.startsWith('postgres:') ? 'postgres' : name;
    out[key] = (out[key] ?? 0) + figure(p);
  }
  return out;
}

/**
 * Each process's proportional share of memory (PSS, from /proc/<pid>/smaps_rollup), MiB: PostgreSQL's processes
 * all map its shared buffers, and their resident sizes added up would count those buffers once per process.
 */
function pssOf(processes: Array<{ name: string; pid: number | undefined }>): Record<string, { cpu: number; rssMb: number }> {
  const out: Record<string, { cpu: number; rssMb: number }> = {};
  for (const p of processes) {
    try {
      const kb = Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${p.pid}/smaps_rollup`, 'utf8'))?.[1] ?? NaN);
      if (Number.isFinite(kb)) out[p.name] = { cpu: 0, rssMb: Math.round(kb / 1024) };
    } catch {
      // gone meanwhile, or not ours to read: left out of the sum, not counted as 0 silently in a figure
    }
  }
  return out;
}

async function ledgerRows(databaseUrl: string): Promise<number> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    return Number((await db.query('SELECT count(*) AS n FROM ndxp.transactions')).rows[0].n);
  } finally {
    await db.end();
  }
}

/** The ledger's row count once the projector has nothing left to project (or after two minutes, said). */
async function ledgerCaughtUp(ndxpPort: number, databaseUrl: string): Promise<number> {
  const deadline = Date.now() + 120_000;
  while ((await projectorLag(ndxpPort)) !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
  if (Date.now() >= deadline) log('  the projector was still behind after 2 min: the ledger check below counts what it had');
  return ledgerRows(databaseUrl);
}

async function startBaseline(infra: { kafkaBrokers: string }, env: NodeJS.ProcessEnv, workers: ChildProcess[]): Promise<number> {
  const frontPort = await freePort();
  for (const role of ['provider', 'hub', 'front']) {
    // The apps' Node flags (their young generation) for the baseline too: the ratio compares pipelines, not heap settings.
    const w = spawn(process.execPath, [...APP_NODE_FLAGS, join(repoRoot(), 'dist', 'bench', 'baseline-worker.js'), role, String(frontPort)], {
      env: { ...env, KAFKA_BROKERS: infra.kafkaBrokers },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    workers.push(w);
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: w.stdout! }).on('line', (l) => l === 'READY' && resolve());
      w.once('exit', (c) => reject(new Error(`baseline ${role} exited ${c}`)));
    });
  }
  return frontPort;
}

/** The platform's request mix, over records the national databases hold and the seeded clients' keys. */
async function platformRequests(databaseUrl: string): Promise<(i: number) => Omit<LoadRequest, 'port'>> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const people = (await db.query('SELECT personal_id FROM national.citizens ORDER BY random() LIMIT 2000')).rows.map((r) => r.personal_id);
  const firms = (await db.query('SELECT code FROM national.enterprises ORDER BY random() LIMIT 1000')).rows.map((r) => r.code);
  const insured = (await db.query('SELECT insurance_number FROM national.insurance_participants ORDER BY random() LIMIT 1000')).rows.map((r) => r.insurance_number);
  const clients = (await db.query(`SELECT DISTINCT data->>'subsystem' AS s FROM registry.events WHERE type = 'SubsystemRegistered' AND data->>'role' = 'client'`)).rows.map(
    (r) => r.s,
  );
  await db.end();
  const keys = new Map(clients.map((c) => [c, seedApiKey(process.env.REGISTRY_SEED_SECRET ?? DEFAULT_SEED_SECRET, c)]));
  const [lookup, verify, enterprise, insurance] = SERVICES.map(serviceKeyOf);
  // Service mix: lookups dominate, as in the published use (unconfirmed split).
  return (i) => {
    const client = clients[i % clients.length];
    const h = { 'x-road-client': client, 'x-api-key': keys.get(client)!, 'content-type': 'application/json' };
    const m = i % 10;
    if (m < 5) return { method: 'GET', path: `/r1/${lookup}/${people[i % people.length]}`, headers: h };
    if (m < 6) return { method: 'POST', path: `/r1/${verify}`, headers: h, body: JSON.stringify({ personalId: people[i % people.length], fullName: 'Nguyễn Văn An' }) };
    if (m < 8) return { method: 'GET', path: `/r1/${enterprise}/${firms[i % firms.length]}`, headers: h };
    return { method: 'GET', path: `/r1/${insurance}/${insured[i % insured.length]}`, headers: h };
  };
}

/** Waits for each app's profile of the window just closed, moves it under the rate, and summarises it. */
async function readProfiles(profileDir: string, rate: number, apps: AppProcess[]) {
  const out: Array<{ rate: number; app: string; summary: ProfileSummary }> = [];
  for (const a of apps) {
    const from = join(profileDir, `${a.instance}.cpuprofile`);
    for (const deadline = Date.now() + 30_000; !existsSync(from) && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 200));
    if (!existsSync(from)) {
      log(`  no CPU profile from ${a.instance}`);
      continue;
    }
    const to = join(profileDir, String(rate), `${a.instance}.cpuprofile`);
    renameSync(from, to);
    out.push({ rate, app: a.instance, summary: summarise(JSON.parse(readFileSync(to, 'utf8')) as CpuProfile) });
  }
  return out;
}

function previousResults(dir: string): { runs: RunResult[]; file: string } | undefined {
  const i = process.argv.indexOf('--compare');
  const named = i > 0 ? process.argv[i + 1] : undefined;
  const latest = readdirSync(dir)
    .filter((f) => /^exchange-.*\.json$/.test(f))
    .sort()
    .pop();
  const file = named ?? (latest ? join(dir, latest) : undefined);
  if (!file) return undefined;
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { runs?: RunResult[] };
  return parsed.runs ? { runs: parsed.runs, file } : undefined; // files from before the repeats have no runs
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${(e as Error).stack}\n`);
  process.exit(1);
});
