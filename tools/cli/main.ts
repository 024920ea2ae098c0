#!/usr/bin/env node
import 'reflect-metadata';
import { Pool } from 'pg';
import { DEFAULT_CLIENT_SUBSYSTEM, DEFAULT_SEED_SECRET, PROVIDERS, seedApiKey, XROAD_INSTANCE } from '@ndxp/contracts';
import { DEFAULT_ADMIN_TOKEN, maskUrlPassword } from '@ndxp/platform';
import { clusterSize, PlanError, PrerequisiteError, Stack, smokeExchange, startInfra, startStack, InfraHandle } from '@ndxp/infra';
import { seedNationalDatabases } from '../../apps/providers/src/data/seeder';
import { vietnamDay } from '../../apps/ndxp/src/projection/ledger-rows';
import { dayAfter, fillLedger } from '../ledger/fill';
import { progress } from './progress';
import { lgspKeysCommand } from './lgsp-keys';
import { operatorCommand } from './operator-command';
import { tlsCommand } from './tls-command';
import { replayCommand } from './replay-command';
import { conformanceCommand } from './conformance-command';
import { capacityCommand } from './capacity-command';
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { repoRoot } from '@ndxp/infra';
import { findCapacity } from '../scenario/capacity';
import { htmlReport, ScenarioReport, summaryTable } from '../scenario/report';
import { runScenario } from '../scenario/runner';
import { loadScenario, parseDuration, Scenario, ScenarioError } from '../scenario/scenario';

const HELP = `ndxp-emulator: an emulator of Vietnam's National Data Exchange Platform (NDXP) and its LGSPs

Usage:
  npm start                       same as: npm run ndxp -- up
  npm run ndxp -- <command> [options]

Commands:
  up        Bring up Kafka, PostgreSQL, the registry, the NDXP hub and an LGSP
            gateway; run a smoke exchange through them; keep running until Ctrl-C.
  infra     Bring up only Kafka and PostgreSQL and print the variables to run
            the apps yourself (e.g. under a debugger); keep running until Ctrl-C.
  seed-national [--citizens N] [--enterprises N] [--seed N]
            Regenerate the national databases (population, enterprise, insurance)
            with COPY, e.g. --citizens 2000000 for a national-sized set. Needs
            PostgreSQL with the schema (run 'npm start' once first).
  ledger-fill [--days N] [--per-day N] [--from YYYY-MM-DD]
            Fill the hub's ledger (ndxp.transactions) and daily counters with N
            days of synthetic national traffic (default 1 day of 2360000, the
            2022 average, ending yesterday), generated in PostgreSQL. Needs the
            schema (run 'npm start' once first); best with no hub running.
  dev-key <client subsystem>
            Print the API key the seed gave a client, e.g.
            dev-key VN/GOV/000.00.00.H26/MOTCUA
  lgsp-keys <LGSP agency code>...
            Print LGSP_AGENCIES and LGSP_SIGNING_KEYS for a gateway process that
            hosts these LGSPs and holds their keys only (derived from
            PLATFORM_SIGNING_KEY as the hub derives them), instead of the
            platform key itself. Needs PLATFORM_SIGNING_KEY set.
  operator issue|revoke|list <LGSP agency code> [key id]
            Keys of an LGSP's operator (ADMIN_TOKEN): it reads that LGSP's
            exchanges in the ledger, the statistics and the request journal.
            'operator --help' says more.
  tls init [--dir DIR] [--force]
            Create a local CA and the gateway's server certificate (localhost,
            127.0.0.1) for mutual TLS, in .ndxp/tls.
  tls issue <client subsystem> [--register] [--days N]
            Issue a client certificate signed by that CA; --register registers
            it for the subsystem (ADMIN_TOKEN). 'tls --help' says more.
  scenario [NAME|FILE] [--find-capacity [--start-rate N] [--step-seconds N] [--max-steps N]] [--duration D] [--report-dir DIR]
            Bring the stack up with the scenario's topology, replay its load and
            fault timeline, write a JSON and an HTML report, print a summary, and
            stop. Exit code 0 when the SLO is met, 3 when it is not. NAME is a
            preset in scenarios/ (default, national-2022-average-day,
            september-2022, day-2021, growth-x10, population-outage-peak).
            --find-capacity ramps the rate to find the highest that meets the SLO.
            --duration D replays only the first D of simulated time (e.g. 1h), at
            the scenario's own rate: a quick check that a preset runs here.
  replay <session.har> [--against URL] [--out DIR] [--api-key K] [--keep-ids]
            Send a recorded session (a gateway's /journal.har) again and report,
            per request, whether the answer kept its status, fault type and body
            shape: JSON, JUnit XML and HTML in ./replay-report. Exit code 1 when
            an answer changed. 'replay --help' says more.
  conformance <session.har> | --client SUBSYSTEM --from GATEWAY_URL
            Check what a connector did against X-Road REST and the services'
            OpenAPI (rules XRD-001..008: valid requests, X-Road-Client, unique
            X-Road-Id, retries, Idempotency-Key, back-off, storms, timeouts):
            JSON, JUnit XML and HTML in ./conformance-report. Exit code 1 when a
            rule failed. 'conformance --help' says more.
  capacity [--daily N] [--peak-factor X] [--cpu-ms ROLE=MS] [--set KEY=VALUE] [--json]
            The capacity model: cores, processes, Kafka brokers, partitions and
            disk, and the ledger's size, for the September 2022 peak hour, the
            2022 average day and ten times that, from the measured CPU per
            transaction; every formula and input printed, any input changeable.
            Starts nothing. 'capacity --help' says more.
  help      Show this text.

Options:
  --fresh   Start the local Kafka broker with empty data (drops earlier topics).
  --brokers N  With 'up', 'infra' and 'scenario': run N local Kafka brokers (1-9, default 1)
            as one KRaft cluster, each also a controller, from the same cached jars.
            --brokers 3: every topic replicated 3 times with min.insync.replicas 2, so
            a broker killed under load (a scenario's broker-kill) loses no write.
            Brokers on KAFKA_PORT + 2i, controllers on KAFKA_CONTROLLER_PORT + 2i
            (9092, 9094, 9096 and 9093, 9095, 9097); same as KAFKA_CLUSTER_SIZE=N.
  --exit    With 'up': stop everything after the smoke exchange (exit code 0 if it passed).
  --scenario NAME  With 'up': run a scenario once the stack is up (npm start runs 'default'),
            print where its report is, and keep running.

Where things come from (environment variables always win):
  Kafka       KAFKA_BROKERS, else local Apache Kafka 3.9 broker(s) on KAFKA_PORT (9092),
              its jars resolved once with Maven and cached in ~/.cache/ndxp-emulator.
              KAFKA_SASL_MECHANISM, _USERNAME, _PASSWORD: the apps log in (SCRAM), and
              the local broker takes such logins only.
  PostgreSQL  DATABASE_URL, else the server on 127.0.0.1:5432 if one answers,
              else an embedded PostgreSQL on EMBEDDED_PG_PORT (54329).
  Docker      NDXP_TESTCONTAINERS=1 uses testcontainers where a Docker engine answers.

Examples:
  npm start
  KAFKA_BROKERS=broker:9092 npm start
  npm run ndxp -- up --fresh --exit
  npm run ndxp -- up --brokers 3
`;

const log = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

function onStop(what: string, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) {
      log(`still stopping ${what} (${signal} again ignored; the broker may take a few seconds to shut down cleanly)`);
      return;
    }
    stopping = true;
    log(`${signal}: stopping ${what} ...`);
    stop()
      .then(() => {
        log('stopped; no process left running.');
        process.exit(0);
      })
      .catch((e) => {
        log(`error while stopping: ${(e as Error).message}`);
        process.exit(1);
      });
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  process.on('SIGHUP', handler);
}

async function up(args: string[], scenarioName?: string): Promise<void> {
  const started = Date.now();
  const loaded = scenarioName ? loadScenario(scenarioName, repoRoot()) : undefined;
  brokersOption(args);
  if (loaded) scenarioEnv(loaded.scenario);
  const stack: Stack = await startStack({ log, fresh: args.includes('--fresh') });
  onStop('the emulator', stack.stop);
  const lgspPort = stack.infra.plan.apps.lgsp;
  const smoke = await smokeExchange(lgspPort);
  log(`smoke exchange: LGSP → Kafka → NDXP (${smoke.hub}) → LGSP in ${smoke.roundTripMs} ms`);
  const ports = stack.infra.plan.apps;
  log(`the emulator is up in ${((Date.now() - started) / 1000).toFixed(1)} s:`);
  log(`  registry  http://127.0.0.1:${ports.registry}/docs`);
  log(`  national databases (faults: /admin/faults)  http://127.0.0.1:${ports.providers}/docs`);
  log(`  ndxp      http://127.0.0.1:${ports.ndxp}/docs`);
  log(`  lgsp      http://127.0.0.1:${ports.lgsp}/docs`);
  if (stack.prometheusUrl) log(`  Prometheus ${stack.prometheusUrl}  (try: ndxp:transactions:increase1d; Grafana dashboards: docker/grafana/dashboards)`);
  log(`  Kafka     ${stack.infra.kafkaBrokers}    PostgreSQL ${maskUrlPassword(stack.infra.databaseUrl)}`);
  const hanoi = `${XROAD_INSTANCE}/GOV/000.00.00.H26/${DEFAULT_CLIENT_SUBSYSTEM}`;
  const pool = new Pool({ connectionString: stack.infra.databaseUrl, max: 1 });
  const [citizen] = (await pool.query('SELECT personal_id FROM national.citizens ORDER BY personal_id LIMIT 1')).rows;
  await pool.end();
  const hanoiKey = seedApiKey(process.env.REGISTRY_SEED_SECRET ?? DEFAULT_SEED_SECRET, hanoi);
  log('try a citizen lookup through the Hà Nội LGSP, as a connector would:');
  log(
    `  curl -s http://127.0.0.1:${ports.lgsp}/r1/${PROVIDERS.population.subsystem}/citizen-lookup/${citizen.personal_id} -H 'X-Road-Client: ${hanoi}' -H 'X-API-Key: ${hanoiKey}'`,
  );
  log("then find it in the ledger (Hà Nội's key reads Hà Nội's exchanges, user ids masked) and in the daily counters (the admin token reads everything):");
  log(`  curl -s 'http://127.0.0.1:${ports.ndxp}/ledger?pageSize=1' -H 'X-API-Key: ${hanoiKey}'`);
  // A token of your own is not printed into the log: the shell has it.
  log(`  curl -s http://127.0.0.1:${ports.ndxp}/statistics/daily -H "Authorization: Bearer ${process.env.ADMIN_TOKEN ? '$ADMIN_TOKEN' : DEFAULT_ADMIN_TOKEN}"`);
  if (loaded) {
    await playScenario(stack, scenarioName!, args, loaded.file, loaded.scenario);
    log('the scenario is done; the emulator stays up for your own calls (above).');
  }
  if (args.includes('--exit')) {
    await stack.stop();
    log('stopped (--exit).');
    process.exit(0);
  }
  log('press Ctrl-C to stop everything.');
}

async function infra(args: string[]): Promise<void> {
  brokersOption(args);
  const handle: InfraHandle = await startInfra({ log, fresh: args.includes('--fresh') });
  onStop('Kafka and PostgreSQL', handle.stop);
  log('infrastructure is up. To run an app yourself:');
  // A DATABASE_URL of your own (its password) is not printed into the log: the shell has it. The embedded server's is public.
  const databaseUrl = handle.plan.postgres.mode === 'external' ? '"$DATABASE_URL"' : handle.databaseUrl;
  log(`  export KAFKA_BROKERS=${handle.kafkaBrokers} DATABASE_URL=${databaseUrl}`);
  if (handle.plan.kafka.mode === 'local' && handle.plan.kafka.sasl) log('  (and KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD as in this shell)');
  log('  npm run build && node dist/apps/ndxp/src/main.js');
  log('press Ctrl-C to stop.');
}

function stringOption(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (!v || v.startsWith('--')) throw new PlanError(`--${name} needs a value`);
  return v;
}

/** --brokers N: the local cluster's size, ahead of KAFKA_CLUSTER_SIZE and a scenario's topology.brokers. */
function brokersOption(args: string[]): void {
  const n = stringOption(args, 'brokers');
  if (n === undefined) return;
  clusterSize({ KAFKA_CLUSTER_SIZE: n }); // refused now, naming --brokers, before anything starts
  process.env.KAFKA_CLUSTER_SIZE = n;
}

/** The scenario's topology and deadline, as the launcher's variables (the environment still wins). */
function scenarioEnv(s: Scenario): void {
  process.env.KAFKA_CLUSTER_SIZE ??= String(s.topology.brokers);
  process.env.LGSP_PROCESSES ??= String(s.topology.lgspProcesses);
  process.env.NDXP_PROCESSES ??= String(s.topology.ndxpProcesses);
  process.env.EXCHANGE_TIMEOUT_MS ??= String(s.time.deadlineMs);
}

function liveLine(): (x: { elapsedS: number; totalS: number; sim: string; rate: number; p99: number; errors: number }) => void {
  const tty = Boolean(process.stdout.isTTY) && !process.env.CI;
  let lastDecile = -1;
  return (x) => {
    const pct = Math.min(100, (x.elapsedS / x.totalS) * 100);
    const text = `${x.sim}  ${String(x.rate).padStart(5)} req/s  p99 ${Number.isFinite(x.p99) ? x.p99.toFixed(0).padStart(5) : '    -'} ms  server errors ${x.errors}/s`;
    if (tty) {
      const filled = Math.round(pct / (100 / 30));
      process.stdout.write(`\r[${'#'.repeat(filled)}${'.'.repeat(30 - filled)}] ${pct.toFixed(0).padStart(3)}%  ${text}   `);
    } else if (Math.floor(pct / 10) !== lastDecile) {
      lastDecile = Math.floor(pct / 10);
      log(`${pct.toFixed(0).padStart(3)}%  ${text}`);
    }
  };
}

function writeReport(r: ScenarioReport, dir: string): { json: string; html: string } {
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `${r.scenario.replace(/[^A-Za-z0-9._-]+/g, '-')}-${r.startedAt.replace(/[:.]/g, '-')}`);
  writeFileSync(`${base}.json`, JSON.stringify(r, null, 2));
  writeFileSync(`${base}.html`, htmlReport(r));
  return { json: `${base}.json`, html: `${base}.html` };
}

async function playScenario(stack: Stack, name: string, args: string[], file: string, scenario: Scenario): Promise<ScenarioReport> {
  let stopped = false;
  process.once('SIGINT', () => (stopped = true));
  const live = liveLine();
  log(`scenario ${scenario.name}: ${scenario.description || file}`);
  const brokers = stack.infra.kafkaNodes;
  if (brokers > 0 && brokers !== scenario.topology.brokers)
    log(`note: the scenario asks for ${scenario.topology.brokers} Kafka broker(s), ${brokers} run (KAFKA_CLUSTER_SIZE or --brokers wins); its broker faults apply to these`);
  const report = args.includes('--find-capacity')
    ? await findCapacity(scenario, {
        stack,
        file,
        log,
        onSecond: live,
        stopped: () => stopped,
        startRate: option(args, 'start-rate', 50),
        stepSeconds: option(args, 'step-seconds', 15),
        maxSteps: option(args, 'max-steps', 12),
      })
    : await runScenario(scenario, { stack, file, log, onSecond: live, stopped: () => stopped });
  if (process.stdout.isTTY && !process.env.CI) process.stdout.write('\n');
  const paths = writeReport(report, stringOption(args, 'report-dir') ?? join(repoRoot(), 'reports'));
  process.stdout.write(`\n${summaryTable(report)}\n\n`);
  log(`report: ${paths.html}`);
  log(`        ${paths.json}`);
  void name;
  return report;
}

async function scenarioCommand(args: string[]): Promise<void> {
  const name = args[0] && !args[0].startsWith('--') ? args[0] : 'default';
  const loaded = loadScenario(name, repoRoot());
  const { file } = loaded;
  const scenario = shortened(loaded.scenario, stringOption(args, 'duration'));
  brokersOption(args);
  scenarioEnv(scenario);
  const stack = await startStack({ log: quietAppLog(), fresh: args.includes('--fresh') });
  let code: number;
  try {
    const report = await playScenario(stack, name, args, file, scenario);
    code = report.slo.met ? 0 : 3;
    if (!report.slo.met) log(`the SLO was missed: exit code 3`);
  } finally {
    await stack.stop();
  }
  process.exit(code);
}

/** --duration: the scenario's first part only, at its own rate (a quick check of a preset's topology and load). */
function shortened(s: Scenario, duration: string | undefined): Scenario {
  if (duration === undefined) return s;
  const durationS = parseDuration(duration);
  if (durationS === undefined || durationS <= 0) throw new PlanError(`--duration must be a simulated duration such as 30m or 2h (got "${duration}")`);
  if (durationS >= s.time.durationS) return s;
  log(`--duration ${duration}: replaying the first ${duration} of ${s.name}'s ${s.time.durationS / 3600} simulated hours`);
  return { ...s, time: { ...s.time, durationS }, faults: s.faults.filter((f) => f.atS < s.time.startS + durationS) };
}

/** During scenarios the apps' own lines would drown the progress: only their warnings and errors pass. */
function quietAppLog(): (line: string) => void {
  return (line) => {
    if (line.startsWith('[') && !/\b(WARN|ERROR)\b/.test(line)) return;
    log(line);
  };
}

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v < 1) throw new PlanError(`--${name} must be a whole number (got "${args[i + 1] ?? ''}")`);
  return v;
}

async function seedNational(args: string[]): Promise<void> {
  const citizens = option(args, 'citizens', 20000);
  const enterprises = option(args, 'enterprises', Math.max(10, Math.round(citizens / 4)));
  const seed = option(args, 'seed', 20221231);
  const handle = await startInfra({ log, skipKafka: true });
  try {
    const pool = new Pool({ connectionString: handle.databaseUrl, max: 2 });
    const exists = await pool.query(`SELECT to_regclass('national.citizens') AS t`);
    if (!exists.rows[0].t) throw new PlanError(`the national tables do not exist in ${maskUrlPassword(handle.databaseUrl)}: run 'npm start' once (the providers app creates them)`);
    const bars = new Map<string, ReturnType<typeof progress>>();
    const r = await seedNationalDatabases(pool, seed, { citizens, enterprises }, (table, n, total) => {
      let bar = bars.get(table);
      if (!bar) bars.set(table, (bar = progress(table, total)));
      bar.update(n);
    });
    for (const b of bars.values()) b.done();
    await pool.end();
    log(
      `seeded ${r.citizens} citizens, ${r.enterprises} enterprises, ${r.insured} insured in ${(r.ms / 1000).toFixed(1)} s (${Math.round((r.citizens + r.enterprises + r.insured) / (r.ms / 1000))} rows/s)`,
    );
    log('a running emulator serves the new records at once: lookups read the tables directly.');
  } finally {
    await handle.stop();
  }
}

async function ledgerFill(args: string[]): Promise<void> {
  const days = option(args, 'days', 1);
  const perDay = option(args, 'per-day', 2_360_000);
  const i = args.indexOf('--from');
  const from = i >= 0 ? args[i + 1] : dayAfter(vietnamDay(Date.now()), -days);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from ?? '')) throw new PlanError(`--from must be a day YYYY-MM-DD (got "${from ?? ''}")`);
  const handle = await startInfra({ log, skipKafka: true });
  try {
    const pool = new Pool({ connectionString: handle.databaseUrl, max: 1 });
    const client = await pool.connect();
    try {
      const [{ kind }] = (await client.query(`SELECT (SELECT relkind FROM pg_class WHERE oid = to_regclass('ndxp.transactions'))::text AS kind`)).rows;
      if (kind !== 'p') throw new PlanError(`no partitioned ledger in ${maskUrlPassword(handle.databaseUrl)}: run 'npm start' once (the hub's migrations make it)`);
      log(`ledger-fill: ${days} day(s) × ${perDay} transactions from ${from} into ${maskUrlPassword(handle.databaseUrl)}`);
      const bar = progress('transactions', days * perDay);
      const r = await fillLedger(client, { from, days, perDay, progress: (n) => bar.update(n), note: (l) => log(process.stdout.isTTY ? `\n${l}` : l) });
      bar.done();
      log(
        `filled ${r.rows} ledger rows and their daily counters in ${(r.ms / 1000).toFixed(1)} s (${Math.round(r.rows / (r.ms / 1000))} rows/s); VACUUM ANALYZE ${(r.vacuumMs / 1000).toFixed(1)} s`,
      );
    } finally {
      client.release();
      await pool.end();
    }
  } finally {
    await handle.stop();
  }
}

async function main(argv: string[]): Promise<void> {
  const [command = 'up', ...args] = argv;
  if (command === 'tls') return tlsCommand(args);
  if (command === 'operator') return operatorCommand(args);
  if (command === 'lgsp-keys') return lgspKeysCommand(args);
  if (command === 'replay') return void process.exit(await replayCommand(args));
  if (command === 'conformance') return void process.exit(await conformanceCommand(args));
  if (command === 'capacity') return void process.exit(capacityCommand(args));
  if (command === 'help' || command === '--help' || command === '-h' || args.includes('--help')) {
    process.stdout.write(HELP);
    return;
  }
  if (command === 'dev-key') {
    if (!args[0]) throw new PlanError('dev-key needs a client subsystem, e.g. dev-key VN/GOV/000.00.00.H26/MOTCUA');
    process.stdout.write(`${seedApiKey(process.env.REGISTRY_SEED_SECRET ?? DEFAULT_SEED_SECRET, args[0])}\n`);
    return;
  }
  if (command === 'seed-national') return seedNational(args);
  if (command === 'ledger-fill') return ledgerFill(args);
  if (command === 'scenario') return scenarioCommand(args);
  const scenarioName = args.includes('--scenario') ? stringOption(args, 'scenario') : undefined;
  const unknown = args.filter((a, i) => !['--fresh', '--exit', '--scenario', '--brokers'].includes(a) && !['--scenario', '--brokers'].includes(args[i - 1]));
  if (unknown.length) throw new PlanError(`unknown option ${unknown.join(' ')} (see 'npm run ndxp -- help')`);
  if (command === 'up') return up(args, scenarioName);
  if (command === 'infra') return infra(args);
  throw new PlanError(`unknown command '${command}' (see 'npm run ndxp -- help')`);
}

main(process.argv.slice(2)).catch((e: Error) => {
  const known = e instanceof PrerequisiteError || e instanceof PlanError || e instanceof ScenarioError;
  process.stderr.write(`\nndxp-emulator: ${known ? '' : 'failed: '}${e.message}\n`);
  process.exit(known ? 2 : 1);
});
