import { existsSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { DEFAULT_CLIENT_SUBSYSTEM, DEFAULT_SEED_SECRET, isAgencyCode, seedApiKey, xroadSettingsFrom } from '@ndxp/contracts';
import { DEFAULT_ADMIN_TOKEN } from '@ndxp/platform';
import { freePort } from './net';
import { repoRoot, runDir } from './paths';
import { dropDatabase } from './postgres/postgres';
import { fetchJson, smokeExchange, Stack, startStack } from './stack';

/** What to start: see startEmulator. */
export interface EmulatorOptions {
  /**
   * The LGSPs the gateway hosts, by agency code (LGSP_AGENCIES), e.g. `['000.00.00.H26', '000.00.00.H29']` for
   * Hà Nội and Hồ Chí Minh City. All 85 when absent. Each hosted LGSP has one seeded client, `{instance}/GOV/{code}/MOTCUA`.
   */
  lgsps?: string[];
  /**
   * Settings for the launcher and the apps, over `process.env` (and over the isolation below): any variable of the
   * README's settings tables, e.g. `{ EXCHANGE_TIMEOUT_MS: '2000', LGSP_PROCESSES: '2' }`, or `KAFKA_BROKERS` and
   * `DATABASE_URL` to use a broker and a database of your own.
   */
  env?: Record<string, string>;
  /** Where the launcher's and the apps' log lines go. Silent when absent: the last 200 lines are in the error if the start fails. */
  log?: (line: string) => void;
  /**
   * A stack of its own (default true): free ports for the broker and the apps, a fresh run directory and database, no
   * Prometheus; so a test suite never meets a stack the developer has running, nor another suite's. `false` takes
   * the ports and the database of `npm start` (3001-3004, 9092, `ndxp`).
   */
  isolated?: boolean;
}

/** A seeded client subsystem: what a connector under test needs to call through its LGSP. */
export interface EmulatorClient {
  /** The LGSP's agency code, e.g. 000.00.00.H26. */
  lgsp: string;
  /** X-Road-Client: `VN/GOV/000.00.00.H26/MOTCUA`. */
  subsystem: string;
  /** Its seeded API key (X-API-Key), derived from REGISTRY_SEED_SECRET. */
  apiKey: string;
  /** The gateway process that hosts its LGSP (the same for all unless LGSP_PROCESSES is over 1). */
  lgspUrl: string;
  /** The two headers of an authenticated call: X-Road-Client and X-API-Key. */
  headers: Record<string, string>;
}

export interface Emulator {
  /** Base URLs: the LGSP gateway (X-Road REST at /r1/…), the NDXP hub (ledger, statistics), the registry, the national databases (fault injection). */
  urls: { lgsp: string; ndxp: string; registry: string; providers: string };
  /** Every gateway process's URL (several with LGSP_PROCESSES). */
  lgspUrls: string[];
  /** One seeded client per hosted LGSP, sorted by LGSP code. */
  clients: EmulatorClient[];
  /** The client of one LGSP; throws when the emulator does not host it. */
  client(lgsp: string): EmulatorClient;
  /** Bearer token of every admin API (ADMIN_TOKEN; FAULTS_ADMIN_TOKEN and PROJECTION_ADMIN_TOKEN fall back to it). */
  adminToken: string;
  /** The broker (host:port list) and the database the apps use: to read the topics or the read models directly. */
  kafkaBrokers: string;
  databaseUrl: string;
  /** The run directory (the broker's data and log, pid files); removed by stop() when isolated. */
  runDir: string;
  /** The stack itself (processes, restart of one app, the broker's restart and crash), for fault scenarios. */
  stack: Stack;
  /** Stops every process it started and, when isolated, removes its run directory and drops its database. Safe to call twice. */
  stop(): Promise<void>;
}

const KEPT_LINES = 200;

/** The settings that keep a stack apart from any other on the machine. */
async function isolation(): Promise<Record<string, string>> {
  const runDir = mkdtempSync(join(tmpdir(), 'ndxp-emulator-'));
  const name = `ndxp_emulator_${process.pid}_${runDir
    .slice(-6)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '_')}`;
  return {
    NDXP_RUN_DIR: runDir,
    NDXP_DATABASE: name,
    KAFKA_PORT: String(await freePort()),
    KAFKA_CONTROLLER_PORT: String(await freePort()),
    KAFKA_HEAP: '512m',
    EMBEDDED_PG_PORT: String(await freePort()),
    REGISTRY_PORT: String(await freePort()),
    NDXP_PORT: String(await freePort()),
    LGSP_PORT: String(await freePort()),
    PROVIDERS_PORT: String(await freePort()),
    NDXP_PROMETHEUS: '0',
  };
}

/**
 * Starts the whole emulator for a test suite, in this process's control: Kafka and PostgreSQL as `npm start` gets
 * them (a local broker and database, or KAFKA_BROKERS and DATABASE_URL), the registry, the national databases, the
 * hub and the LGSP gateway; resolves once a smoke exchange went LGSP → Kafka → NDXP → LGSP, with the URLs, the
 * seeded clients and their keys, and a stop().
 *
 * Runs the apps from the build output: `npm run build` first. A start takes tens of seconds (the broker's first
 * start fetches its jars), so give the hook a long timeout; and call stop() in all cases, as the apps run in
 * processes of their own.
 *
 * @example
 * const emulator = await startEmulator({ lgsps: ['000.00.00.H26'] });
 * const hanoi = emulator.client('000.00.00.H26');
 * const r = await fetch(`${hanoi.lgspUrl}/r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup/001199999999`, { headers: hanoi.headers });
 * await emulator.stop();
 */
export async function startEmulator(o: EmulatorOptions = {}): Promise<Emulator> {
  if (o.lgsps && (o.lgsps.length === 0 || o.lgsps.some((code) => !isAgencyCode(code))))
    throw new Error(`lgsps must be agency codes such as 000.00.00.H26 (got ${JSON.stringify(o.lgsps)})`);
  if (!existsSync(join(repoRoot(), 'dist', 'apps', 'lgsp', 'src', 'main.js'))) throw new Error('the emulator runs from the build output: run `npm run build` first');
  const isolated = o.isolated ?? true;
  const own = isolated ? await isolation() : {};
  const env: NodeJS.ProcessEnv = { ...process.env, ...own, ...(o.lgsps ? { LGSP_AGENCIES: o.lgsps.join(',') } : {}), ...o.env };
  const kept: string[] = [];
  const log = (line: string) => {
    kept.push(line);
    if (kept.length > KEPT_LINES) kept.shift();
    o.log?.(line);
  };
  /** Drops the database made for this start on a PostgreSQL server of the machine (not one of DATABASE_URL), then removes the run directory. */
  const cleanUp = async (stack?: Stack) => {
    const onServer = stack ? stack.infra.plan.postgres.mode === 'local-server' : !env.DATABASE_URL && !env.NDXP_TESTCONTAINERS;
    // Only the database this start named: o.env may name another (the developer's own), which is never dropped.
    if (isolated && onServer && env.NDXP_DATABASE === own.NDXP_DATABASE) {
      const url = stack?.infra.databaseUrl ?? `postgres://postgres@127.0.0.1:5432/${own.NDXP_DATABASE}`;
      // Before the start reached PostgreSQL there is nothing to drop, and maybe no server to ask.
      await dropDatabase(url).catch((e) => (stack ? log(`dropping the database: ${(e as Error).message}`) : undefined));
    }
    if (own.NDXP_RUN_DIR) rmSync(own.NDXP_RUN_DIR, { recursive: true, force: true });
  };

  let stack: Stack | undefined;
  try {
    stack = await startStack({ env, log });
    const apps = stack.apps;
    const portOf = (app: string) => apps.find((a) => a.app === app)!.port;
    const url = (port: number) => `http://127.0.0.1:${port}`;
    await smokeExchange(portOf('lgsp'));

    const seedSecret = env.REGISTRY_SEED_SECRET || DEFAULT_SEED_SECRET;
    const { instance } = xroadSettingsFrom(env);
    const clients: EmulatorClient[] = [];
    for (const p of apps.filter((a) => a.app === 'lgsp')) {
      const r = await fetchJson(`${url(p.port)}/lgsps`);
      for (const { code } of r.body.items as Array<{ code: string }>) {
        const subsystem = `${instance}/GOV/${code}/${DEFAULT_CLIENT_SUBSYSTEM}`;
        const apiKey = seedApiKey(seedSecret, subsystem);
        clients.push({ lgsp: code, subsystem, apiKey, lgspUrl: url(p.port), headers: { 'X-Road-Client': subsystem, 'X-API-Key': apiKey } });
      }
    }
    clients.sort((a, b) => a.lgsp.localeCompare(b.lgsp));

    const started = stack;
    let stopping: Promise<void> | undefined;
    return {
      urls: { lgsp: url(portOf('lgsp')), ndxp: url(portOf('ndxp')), registry: url(portOf('registry')), providers: url(portOf('providers')) },
      lgspUrls: apps.filter((a) => a.app === 'lgsp').map((a) => url(a.port)),
      clients,
      client(lgsp: string) {
        const c = clients.find((x) => x.lgsp === lgsp);
        if (!c) throw new Error(`the emulator hosts no LGSP ${lgsp} (it hosts ${clients.map((x) => x.lgsp).join(', ')})`);
        return c;
      },
      adminToken: env.ADMIN_TOKEN || DEFAULT_ADMIN_TOKEN,
      kafkaBrokers: stack.infra.kafkaBrokers,
      databaseUrl: stack.infra.databaseUrl,
      runDir: runDir(env),
      stack,
      stop() {
        stopping ??= started.stop().then(() => cleanUp(started));
        return stopping;
      },
    };
  } catch (e) {
    await stack?.stop().catch(() => undefined);
    await cleanUp(stack);
    throw new Error(`the emulator did not start: ${(e as Error).message}${o.log ? '' : `\nits last log lines:\n${kept.join('\n')}`}`, { cause: e });
  }
}
