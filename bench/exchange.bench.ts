import { spawn, ChildProcess } from 'child_process';
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { Client } from 'pg';
import { createInterface } from 'readline';
import { DEFAULT_SEED_SECRET, PROVIDERS, SERVICES, seedApiKey, serviceKeyOf } from '@ndxp/contracts';
import { DEV_MODE_MARK } from '@ndxp/platform';
import { AppProcess, APPS, dropDatabase, freePort, repoRoot, spawnApp, startInfra, stopApps, waitHealthy } from '@ndxp/infra';
import { LoadRequest, LoadResult, openLoad, percentile } from '../tools/load/open-load';

const HELP = `End-to-end benchmark of the exchange's hot path, at a fixed open-model arrival rate.

  npm run bench -- [--rate 1000] [--duration 30] [--warmup 20] [--skip-baseline]

Runs two pipelines in turn on their own Kafka broker and database:
  baseline  HTTP → Kafka → hub → Kafka → provider → back, batched kafkajs, no platform logic
  platform  LGSP (X-Road parsing, API key, access check) → Kafka → NDXP (events, deadline)
            → Kafka → national database (PostgreSQL query) → back; ledger projected meanwhile
and prints throughput, p50/p95/p99, errors, drops, and the platform/baseline ratios.
Results are also written to bench/results/<time>.json.`;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number (got "${process.argv[i + 1]}")`);
  return v;
}

const log = (l: string) => process.stdout.write(`${l}\n`);

function summary(name: string, r: LoadResult) {
  return {
    name,
    offeredRate: r.offered / r.durationS,
    throughput: r.throughput,
    p50: percentile(r.latenciesMs, 50),
    p95: percentile(r.latenciesMs, 95),
    p99: percentile(r.latenciesMs, 99),
    errors: r.errors,
    dropped: r.dropped,
    completed: r.completed,
    byOutcome: r.byOutcome,
  };
}

async function runLoad(name: string, port: number, rate: number, durationS: number, warmupS: number, next: (i: number) => Omit<LoadRequest, 'port'>) {
  log(`\n== ${name}: ${rate} req/s for ${durationS} s (+${warmupS} s warm-up)`);
  const r = await openLoad({
    rateAt: () => rate,
    durationS,
    warmupS,
    next: (i) => ({ ...next(i), port }),
    onSecond: (s) =>
      log(
        `  ${name} t=${String(s.second).padStart(3)}s  done ${String(s.rate).padStart(5)}/s  p99 ${s.p99.toFixed(0).padStart(5)} ms  server errors ${s.errors}  in flight ${s.inFlight}`,
      ),
  });
  return summary(name, r);
}

async function main(): Promise<void> {
  if (process.argv.includes('--help')) return void log(HELP);
  const rate = arg('rate', 1000);
  const durationS = arg('duration', 30);
  const warmupS = arg('warmup', 20); // the first seconds at full rate are JIT warm-up: their backlog is not steady state
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
  const results: ReturnType<typeof summary>[] = [];
  const workers: ChildProcess[] = [];
  const apps: AppProcess[] = [];
  try {
    if (!process.argv.includes('--skip-baseline')) {
      const frontPort = await freePort();
      for (const role of ['provider', 'hub', 'front']) {
        const w = spawn(process.execPath, [join(repoRoot(), 'dist', 'bench', 'baseline-worker.js'), role, String(frontPort)], {
          env: { ...env, KAFKA_BROKERS: infra.kafkaBrokers },
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        workers.push(w);
        await new Promise<void>((resolve, reject) => {
          createInterface({ input: w.stdout! }).on('line', (l) => l === 'READY' && resolve());
          w.once('exit', (c) => reject(new Error(`baseline ${role} exited ${c}`)));
        });
      }
      results.push(await runLoad('baseline', frontPort, rate, durationS, warmupS, (i) => ({ method: 'GET', path: `/echo/${i}`, headers: {} })));
      for (const w of workers) w.kill('SIGTERM');
    }

    const ports = Object.fromEntries(await Promise.all(APPS.map(async (a) => [a, await freePort()])));
    for (const app of APPS) {
      const p = spawnApp(app, ports[app], infra, env, (l) => (/ERROR|WARN/.test(l) && !l.includes(DEV_MODE_MARK) ? log(`  ${l}`) : undefined));
      apps.push(p);
      await waitHealthy(p, 90_000);
    }
    const db = new Client({ connectionString: infra.databaseUrl });
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
    void PROVIDERS;
    // Service mix: lookups dominate, as in the published use (unconfirmed split).
    const next = (i: number): Omit<LoadRequest, 'port'> => {
      const client = clients[i % clients.length];
      const h = { 'x-road-client': client, 'x-api-key': keys.get(client)!, 'content-type': 'application/json' };
      const m = i % 10;
      if (m < 5) return { method: 'GET', path: `/r1/${lookup}/${people[i % people.length]}`, headers: h };
      if (m < 6) return { method: 'POST', path: `/r1/${verify}`, headers: h, body: JSON.stringify({ personalId: people[i % people.length], fullName: 'Nguyễn Văn An' }) };
      if (m < 8) return { method: 'GET', path: `/r1/${enterprise}/${firms[i % firms.length]}`, headers: h };
      return { method: 'GET', path: `/r1/${insurance}/${insured[i % insured.length]}`, headers: h };
    };
    results.push(await runLoad('platform', ports.lgsp, rate, durationS, warmupS, next));
  } finally {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    await stopApps(apps);
    await infra.stop();
  }

  log('\n| pipeline | offered/s | achieved/s | p50 ms | p95 ms | p99 ms | server errors | dropped |');
  log('|---|---|---|---|---|---|---|---|');
  for (const r of results)
    log(`| ${r.name} | ${r.offeredRate.toFixed(0)} | ${r.throughput.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.errors} | ${r.dropped} |`);
  const base = results.find((r) => r.name === 'baseline');
  const plat = results.find((r) => r.name === 'platform');
  if (base && plat) log(`\nplatform / baseline: throughput ×${(plat.throughput / base.throughput).toFixed(2)}, p99 ×${(plat.p99 / base.p99).toFixed(2)}`);
  if (plat) log(`platform outcomes: ${JSON.stringify(plat.byOutcome)}`);
  const dir = join(repoRoot(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `exchange-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ rate, durationS, warmupS, results }, null, 2));
  log(`results: ${file}`);
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${(e as Error).stack}\n`);
  process.exit(1);
});
