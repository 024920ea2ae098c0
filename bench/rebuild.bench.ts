import { Global, INestApplication, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'crypto';
import { mkdirSync, writeFileSync } from 'fs';
import { Session } from 'inspector';
import { Kafka, logLevel } from 'kafkajs';
import { join } from 'path';
import { DataSource } from 'typeorm';
import { emptyRegistryView, eventIdFor, HOT_TOPIC_PARTITIONS, serializeTransactionRecord, Topics, TransactionEvent } from '@ndxp/contracts';
import { dropDatabase, freePort, repoRoot, startInfra } from '@ndxp/infra';
import { AdminGuard, AppConfig, createTopics, loadConfig, PlatformModule, RegistryViewService } from '@ndxp/platform';
import { LedgerModule } from '../apps/ndxp/src/ledger/ledger.module';
import { NDXP_MIGRATIONS } from '../apps/ndxp/src/migrations';
import { NdxpMetricsService } from '../apps/ndxp/src/observability/ndxp-metrics.service';
import { ProjectorService } from '../apps/ndxp/src/projection/projector.service';
import { NATIONAL_DAY_TRANSACTIONS, RebuildResult, rebuildReport } from '../tools/load/bench-report';
import { CpuProfile, placeTable, summarise } from '../tools/profile/cpu-profile';

/**
 * Issue #10: how fast the ledger rebuilds from the transactions topic. Fills a fresh topic with the events of
 * TRANSACTIONS synthetic exchanges (five events each in three records, as a successful exchange writes them:
 * Requested + Routed and Responded + Completed by the hub, Answered by the gateway), lets the projector take them in once, then times `rebuild()` (offsets
 * reset, tables emptied, the topic replayed) and checks the ledger holds every transaction once. In the same
 * run, the baseline: a bare kafkajs consumer group reading the same topic from the start and parsing each
 * record, with no database. With fewer than a national day's transactions, the day is extrapolated from the measured rate, and says so
 * (`--transactions 2360000` measures it: about 12 minutes here, most of it writing the topic).
 *
 *   npm run bench:rebuild [-- --transactions 100000] [-- --profile]
 */

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const TRANSACTIONS = Number(arg('transactions', '100000'));
const log = (l: string) => console.log(l);

const CLIENTS = ['000.00.00.H26', '000.00.00.H29', '000.00.00.H56', '000.00.00.G12'].map((c) => `VN/GOV/${c}/MOTCUA`);
const SERVICES = ['citizen-lookup', 'citizen-verify'].map((s) => `VN/GOV/000.00.00.G01/CSDLQGDC/${s}`);
const PROVIDER = 'VN/GOV/000.00.00.G01/CSDLQGDC';

/** The five events of one successful exchange, in the records the hub and the gateway write them in. */
function exchange(i: number, t0: number): TransactionEvent[][] {
  const id = randomUUID();
  const client = CLIENTS[i % CLIENTS.length];
  const lgsp = client.split('/')[2];
  const request = { xRoadId: `x-${id.slice(0, 8)}`, lgsp, client, service: SERVICES[i % SERVICES.length], provider: PROVIDER, requestSize: 321, requestInAt: t0 };
  const ev = (type: TransactionEvent['type'], at: number, rest: object) => ({ type, eventId: eventIdFor(id, type), transactionId: id, at, ...rest }) as TransactionEvent;
  return [
    [ev('TransactionRequested', t0, request), ev('TransactionRouted', t0 + 5, { provider: PROVIDER })],
    [
      ev('TransactionResponded', t0 + 40, { statusCode: 200, responseSize: 999, providerInAt: t0 + 10, providerOutAt: t0 + 38, late: false }),
      ev('TransactionCompleted', t0 + 41, { statusCode: 200, responseSize: 999, durationMs: 41 }),
    ],
    [ev('TransactionAnswered', t0 + 43, { ...request, statusCode: 200, durationMs: 43 })],
  ];
}

/** Writes the events of `n` exchanges, spread over the day before, several sends in flight. */
async function fill(kafka: Kafka, n: number): Promise<number> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const start = Date.now() - 86_400_000;
  let events = 0;
  const chunk = 2_000;
  let inFlight: Array<Promise<unknown>> = [];
  for (let i = 0; i < n; i += chunk) {
    const messages = [];
    for (let j = i; j < Math.min(n, i + chunk); j++)
      for (const r of exchange(j, start + Math.floor((j / n) * 86_000_000))) {
        messages.push({ key: r[0].transactionId, value: serializeTransactionRecord(r) });
        events += r.length;
      }
    inFlight.push(producer.send({ topic: Topics.transactions, messages, acks: 1 }));
    if (inFlight.length >= 4) {
      await Promise.all(inFlight);
      inFlight = [];
      process.stdout.write(`\r  written ${events.toLocaleString('en')} events`);
    }
  }
  await Promise.all(inFlight);
  process.stdout.write('\n');
  await producer.disconnect();
  return events;
}

/** The baseline: a consumer group reads the topic from the start and parses every record, nothing else. */
async function bareRead(kafka: Kafka, events: number): Promise<number> {
  const consumer = kafka.consumer({ groupId: `bench-bare-${randomUUID().slice(0, 8)}`, maxWaitTimeInMs: 250, minBytes: 64 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topic: Topics.transactions, fromBeginning: true });
  const started = Date.now();
  let read = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      partitionsConsumedConcurrently: HOT_TOPIC_PARTITIONS,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const record = JSON.parse(m.value!.toString());
          read += Array.isArray(record.events) ? record.events.length : record.transactionId ? 1 : 0;
        }
        if (read >= events) resolve();
      },
    });
  });
  const ms = Date.now() - started;
  await consumer.disconnect();
  return ms;
}

async function profiled<T>(on: boolean, f: () => Promise<T>): Promise<{ value: T; profile?: CpuProfile }> {
  if (!on) return { value: await f() };
  const session = new Session();
  session.connect();
  const post = (method: string) => new Promise<unknown>((ok, fail) => session.post(method, (e: Error | null, r?: unknown) => (e ? fail(e) : ok(r))));
  await post('Profiler.enable');
  await post('Profiler.start');
  const value = await f();
  const { profile } = (await post('Profiler.stop')) as { profile: CpuProfile };
  session.disconnect();
  return { value, profile };
}

@Global()
@Module({
  providers: [AdminGuard, NdxpMetricsService, { provide: RegistryViewService, useValue: { state: emptyRegistryView(), ready: Promise.resolve() } }],
  exports: [AdminGuard, NdxpMetricsService, RegistryViewService],
})
class ProjectorDependencies {}

/** The projector and the ledger only: no hub, gateway or registry. */
async function projectorApp(kafkaBrokers: string, databaseUrl: string): Promise<INestApplication> {
  const settings = {
    PORT: '1',
    HOST: '127.0.0.1',
    KAFKA_BROKERS: kafkaBrokers,
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'warn',
    INSTANCE_ID: 'bench-rebuild',
    ADMIN_TOKEN: 'bench-rebuild-admin',
    KAFKA_SESSION_TIMEOUT_MS: '10000',
  };
  const config = loadConfig('ndxp', AppConfig, settings);
  const moduleRef = await Test.createTestingModule({
    imports: [PlatformModule.forApp({ app: 'ndxp', config, schema: 'ndxp', migrations: NDXP_MIGRATIONS }), ProjectorDependencies, LedgerModule],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error', 'warn', 'log'] });
  await app.init();
  return app;
}

const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
const fmt = (n: number) => n.toLocaleString('en');

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    console.log('npm run bench:rebuild [-- --transactions N (100000)] [-- --profile]  the ledger rebuild rate, against a bare read of the topic');
    return;
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NDXP_RUN_DIR: join(repoRoot(), '.ndxp', 'bench-rebuild'),
    NDXP_DATABASE: 'ndxp_bench_rebuild',
    KAFKA_PORT: String(await freePort()),
    KAFKA_CONTROLLER_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    NDXP_PROMETHEUS: '0',
  };
  delete env.KAFKA_BROKERS;
  delete env.DATABASE_URL;
  await dropDatabase('postgres://postgres@127.0.0.1:5432/ndxp_bench_rebuild').catch(() => undefined);
  const infra = await startInfra({ env, log: (l) => log(`  ${l}`), fresh: true });
  const kafka = new Kafka({ clientId: 'bench-rebuild', brokers: [infra.kafkaBrokers], logLevel: logLevel.NOTHING });
  let app: INestApplication | undefined;
  try {
    await createTopics(kafka, [{ topic: Topics.transactions, numPartitions: HOT_TOPIC_PARTITIONS }]);
    log(`filling ${Topics.transactions} with ${fmt(TRANSACTIONS)} exchanges ...`);
    const events = await fill(kafka, TRANSACTIONS);
    const bareMs = await bareRead(kafka, events);
    log(`baseline: a bare consumer read and parsed ${fmt(events)} events in ${bareMs} ms (${fmt(rate(events, bareMs))} events/s)`);

    const t0 = Date.now();
    app = await projectorApp(infra.kafkaBrokers, infra.databaseUrl);
    const projector = app.get(ProjectorService);
    await projector.waitCaughtUp(30 * 60_000);
    const firstMs = Date.now() - t0;
    log(`first projection (app start included): ${fmt(events)} events in ${firstMs} ms (${fmt(rate(events, firstMs))} events/s)`);

    const { value: rebuilt, profile } = await profiled(process.argv.includes('--profile'), () => projector.rebuild(30 * 60_000));
    const db = app.get(DataSource);
    const [{ rows, counted }] = await db.query('SELECT (SELECT count(*) FROM ndxp.transactions)::int AS rows, (SELECT sum(count) FROM ndxp.daily_counters)::int AS counted');
    const perTx = events / TRANSACTIONS;
    const rebuildRate = rate(rebuilt.events, rebuilt.ms);
    const nationalS = (NATIONAL_DAY_TRANSACTIONS * perTx) / rebuildRate;
    if (profile) log(placeTable('projector process during the rebuild', summarise(profile)));

    const dir = join(repoRoot(), 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `rebuild-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    const result: RebuildResult = {
      transactions: TRANSACTIONS,
      events,
      bare: { ms: bareMs, eventsPerS: rate(events, bareMs) },
      firstProjection: { ms: firstMs },
      rebuild: { ...rebuilt, eventsPerS: rebuildRate },
      ledgerRows: rows,
      countersSum: counted,
      nationalDayMinutes: nationalS / 60,
    };
    writeFileSync(file, JSON.stringify(result, null, 2));
    rebuildReport(result).forEach((l) => log(l));
    log(`results: ${file}`);
    if (rows !== TRANSACTIONS || counted !== TRANSACTIONS) {
      log('LEDGER WRONG: rows or counters differ from the transactions written');
      process.exitCode = 1;
    }
  } finally {
    await app?.close();
    await infra.stop();
    await dropDatabase(infra.databaseUrl).catch(() => undefined);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
