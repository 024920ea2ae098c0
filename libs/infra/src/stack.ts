import { ChildProcess, spawn } from 'child_process';
import { join } from 'path';
import { createInterface } from 'readline';
import { cacheDir, repoRoot, runDir } from './paths';
import { InfraPlan, KAFKA_VERSION, resolveInfraPlan } from './infra-plan';
import { replicationFor } from './kafka/local-kafka-broker';
import { LocalKafkaCluster } from './kafka/local-kafka-cluster';
import { Log } from './kafka/kafka-jars';
import { waitFor } from './net';
import { EmbeddedPostgresServer, ensureDatabase, postgresServerAnswers } from './postgres/postgres';
import { exited, stopProcess } from './process';
import { dockerEngineAnswers, startKafkaContainer, startPostgresContainer } from './testcontainers';
import { LocalPrometheus, PROMETHEUS_MISSING, prometheusBinary } from './prometheus/local-prometheus';

import { APPS, StackApp } from './stack-apps';
import { planPorts, type PlannedProcess } from './port-plan';
import { Supervisor } from './supervisor';
import { DEV_MODE_MARK, stackDevelopmentWarning } from '@ndxp/platform';

export { APPS };
export type { StackApp };

export interface InfraHandle {
  plan: InfraPlan;
  kafkaBrokers: string;
  databaseUrl: string;
  timings: Record<string, number>;
  kafkaPid?: number;
  /** Every local broker's live process (one, or the cluster's). */
  kafkaPids?: () => number[];
  /** How many local brokers run (0 for an external broker or a container). */
  kafkaNodes: number;
  /** Settings the apps get unless the environment says otherwise (what this broker allows). */
  appDefaults: Record<string, string>;
  /** Stops and starts the local broker(s) on the same data (for fault scenarios); undefined for an external one. */
  restartKafka?: () => Promise<void>;
  /** Kills the local broker (SIGKILL), leaves it down for downMs, starts it again on the same data. */
  crashKafka?: (downMs: number) => Promise<void>;
  /** kill -9 of local broker `index` (1-based); it stays down until startBroker. */
  killBroker?: (index: number) => Promise<void>;
  /** Starts local broker `index` again on its data (after killBroker), or stops and starts it cleanly. */
  startBroker?: (index: number) => Promise<void>;
  restartBroker?: (index: number) => Promise<void>;
  stop(): Promise<void>;
}

export interface UpOptions {
  env?: NodeJS.ProcessEnv;
  log: Log;
  fresh?: boolean;
  /** Only PostgreSQL (for commands that need no broker). */
  skipKafka?: boolean;
}

/**
 * Brings up Kafka and PostgreSQL as the plan says, creates the project's
 * database, and returns a handle that stops whatever it started (and nothing else).
 */
export async function startInfra(o: UpOptions): Promise<InfraHandle> {
  const env = o.env ?? process.env;
  const plan = resolveInfraPlan(env, {
    postgresServerAnswers: env.DATABASE_URL ? false : await postgresServerAnswers(),
    dockerEngineAnswers: env.NDXP_TESTCONTAINERS ? dockerEngineAnswers() : false,
  });
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((e) => o.log(`while stopping: ${(e as Error).message}`));
    stops.length = 0;
  };
  const timings: Record<string, number> = {};
  const run = runDir(env);
  try {
    let kafkaBrokers: string;
    let kafkaPid: number | undefined;
    let local: LocalKafkaCluster | undefined;
    const tk = Date.now();
    switch (o.skipKafka ? 'skip' : plan.kafka.mode) {
      case 'skip':
        kafkaBrokers = '';
        break;
      case 'external':
        if (plan.kafka.mode !== 'external') throw new Error('unreachable');
        kafkaBrokers = plan.kafka.brokers;
        o.log(`Kafka: using KAFKA_BROKERS=${kafkaBrokers}`);
        break;
      case 'testcontainers': {
        o.log(`Kafka: starting apache/kafka:${KAFKA_VERSION} with testcontainers ...`);
        const c = await startKafkaContainer(KAFKA_VERSION);
        stops.push(c.stop);
        kafkaBrokers = c.url;
        break;
      }
      case 'local': {
        if (plan.kafka.mode !== 'local') throw new Error('unreachable');
        const cluster = await startLocalKafka(plan.kafka, run, env, o, timings);
        stops.push(() => cluster.stop());
        kafkaBrokers = cluster.brokers.join(',');
        kafkaPid = cluster.pids[0];
        local = cluster;
        break;
      }
    }
    timings.kafkaMs = Date.now() - tk;

    let databaseUrl: string;
    const tp = Date.now();
    switch (plan.postgres.mode) {
      case 'external':
      case 'local-server':
        databaseUrl = plan.postgres.url;
        o.log(`PostgreSQL: using ${plan.postgres.mode === 'external' ? 'DATABASE_URL' : 'the server on 127.0.0.1:5432'}`);
        break;
      case 'testcontainers': {
        o.log('PostgreSQL: starting postgres:15 with testcontainers ...');
        const c = await startPostgresContainer(plan.postgres.database);
        stops.push(c.stop);
        databaseUrl = c.url;
        break;
      }
      case 'embedded': {
        o.log(
          `PostgreSQL: ${env.NDXP_POSTGRES === 'embedded' ? 'NDXP_POSTGRES=embedded' : 'no server answers on 127.0.0.1:5432'}; starting an embedded PostgreSQL on ${plan.postgres.port} ...`,
        );
        const pg = new EmbeddedPostgresServer({ dir: join(run, 'embedded-postgres'), port: plan.postgres.port, log: o.log });
        stops.push(() => pg.stop());
        await pg.start();
        databaseUrl = plan.postgres.url;
        break;
      }
    }
    const created = await ensureDatabase(databaseUrl);
    timings.postgresMs = Date.now() - tp;
    o.log(`PostgreSQL: database ${new URL(databaseUrl).pathname.slice(1)} ${created === 'created' ? 'created' : 'ready'}`);
    // The local broker allows 1 s sessions: 3 s lets a restarted hub have its partitions back within 5 s.
    const appDefaults: Record<string, string> = plan.kafka.mode === 'local' && !o.skipKafka ? { KAFKA_SESSION_TIMEOUT_MS: '3000' } : {};
    return { plan, kafkaBrokers, databaseUrl, timings, kafkaPid, kafkaNodes: local?.size ?? 0, appDefaults, ...(local ? localKafkaFaults(local) : {}), stop: stopAll };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

type LocalPlan = Extract<InfraPlan['kafka'], { mode: 'local' }>;

/** The local broker, or the cluster of KAFKA_CLUSTER_SIZE brokers (data in `run`/kafka-cluster), started and proven. */
async function startLocalKafka(plan: LocalPlan, run: string, env: NodeJS.ProcessEnv, o: UpOptions, timings: Record<string, number>): Promise<LocalKafkaCluster> {
  const n = plan.nodes.length;
  const login = plan.sasl ? `, SASL/${plan.sasl.mechanism.toUpperCase()} logins only (user ${plan.sasl.username})` : '';
  const where = plan.nodes.map((p) => `127.0.0.1:${p.port}`).join(', ');
  o.log(
    n === 1
      ? `Kafka: starting a local Apache Kafka ${plan.version} broker (KRaft${login}) on ${where} ...`
      : `Kafka: starting a local cluster of ${n} Apache Kafka ${plan.version} brokers (KRaft, each also a controller${login}; replication factor ${replicationFor(n).factor}, min.insync.replicas ${replicationFor(n).minInsync}) on ${where} ...`,
  );
  const cluster = new LocalKafkaCluster({ ...plan, dir: join(run, n === 1 ? 'kafka' : 'kafka-cluster'), cacheDir: cacheDir(env), log: o.log, fresh: o.fresh, env });
  const r = await cluster.start();
  timings.kafkaJarsMs = r.jarsMs;
  timings.kafkaBrokerMs = r.brokerMs;
  timings.kafkaRoundTripMs = r.roundTripMs;
  const logs = n === 1 ? `log: ${cluster.logFiles[0]}` : `logs: ${cluster.logFiles.join(', ')}`;
  o.log(
    `Kafka: up at ${cluster.brokers.join(',')} (${n === 1 ? 'broker' : 'all brokers'} listening after ${(r.brokerMs / 1000).toFixed(1)} s, message round trip ${r.roundTripMs} ms; ${logs})`,
  );
  return cluster;
}

/** What fault scenarios do to the local brokers. */
function localKafkaFaults(cluster: LocalKafkaCluster): Pick<InfraHandle, 'kafkaPids' | 'restartKafka' | 'crashKafka' | 'killBroker' | 'startBroker' | 'restartBroker'> {
  return {
    kafkaPids: () => cluster.pids,
    restartKafka: async () => {
      await cluster.stop();
      await cluster.start();
    },
    crashKafka: async (downMs) => {
      for (const i of cluster.members.keys()) await cluster.kill(i + 1);
      await new Promise((r) => setTimeout(r, downMs));
      await cluster.start();
    },
    killBroker: (i) => cluster.kill(i),
    startBroker: (i) => cluster.revive(i),
    restartBroker: (i) => cluster.restart(i),
  };
}

export interface AppProcess {
  app: StackApp;
  /** `lgsp-2` when several processes of an app run. */
  instance: string;
  port: number;
  child: ChildProcess;
  extraEnv: Record<string, string>;
}

/**
 * Node's flags for every app. A young generation of 64 MiB (`--max-semi-space-size`, Node 20's default is 16): the
 * gateway allocates per request (bodies in base64, envelopes, the journal's copies) and spent 18 % of its time in
 * the garbage collector at 700 requests/s. A/B at 500/s, two runs each, alternating (`npm run bench`): the gateway's
 * CPU per transaction 0.77–0.78 ms against 0.85–1.01 ms, p99 (due) 434–478 ms against 1,148–3,654 ms.
 */
export const APP_NODE_FLAGS = ['--enable-source-maps', '--max-semi-space-size=64'];

/** Starts one app from the build output, its log lines prefixed with its instance name. */
export function spawnApp(
  app: StackApp,
  port: number,
  infra: Pick<InfraHandle, 'kafkaBrokers' | 'databaseUrl'> & Partial<Pick<InfraHandle, 'appDefaults'>>,
  env: NodeJS.ProcessEnv,
  log: Log,
  instance = `${app}-1`,
  extraEnv: Record<string, string> = {},
): AppProcess {
  const main = join(repoRoot(), 'dist', 'apps', app, 'src', 'main.js');
  const child = spawn(process.execPath, [...APP_NODE_FLAGS, main], {
    cwd: repoRoot(),
    env: {
      ...infra.appDefaults,
      ...env,
      PORT: String(port),
      KAFKA_BROKERS: infra.kafkaBrokers,
      DATABASE_URL: infra.databaseUrl,
      INSTANCE_ID: instance,
      // Nest colours its logs only on a terminal; the prefixing below is not one.
      NO_COLOR: '1',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // Ctrl-C reaches the launcher only, which stops the apps in order
  });
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => log(`[${instance}] ${line}`));
  }
  return { app, instance, port, child, extraEnv };
}

/** How many processes of an app the stack runs (NDXP_PROCESSES, LGSP_PROCESSES; 1 by default). */
export function processCount(env: NodeJS.ProcessEnv, app: StackApp): number {
  if (app !== 'ndxp' && app !== 'lgsp') return 1;
  const name = `${app.toUpperCase()}_PROCESSES`;
  const raw = env[name];
  if (!raw) return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 16) throw new Error(`${name} must be a whole number 1-16 (got "${raw}")`);
  return n;
}

/**
 * The processes of the stack, in start order. Several LGSP processes share
 * the LGSPs between them (LGSP_SHARD i/N); several hubs share the request
 * partitions. See planPorts for who listens where.
 */
export function stackProcesses(env: NodeJS.ProcessEnv, ports: Record<StackApp, number>, reserved: number[] = []): PlannedProcess[] {
  const counts = Object.fromEntries(APPS.map((app) => [app, processCount(env, app)])) as Record<StackApp, number>;
  return planPorts(counts, ports, reserved);
}

/** Ports the stack's other parts hold, which no app process may be given. */
function reservedPorts(env: NodeJS.ProcessEnv, plan: InfraPlan): number[] {
  const ports = [Number(env.PROMETHEUS_PORT || 9090)];
  if (plan.kafka.mode === 'local') for (const n of plan.kafka.nodes) ports.push(n.port, n.controllerPort);
  if (plan.postgres.mode === 'embedded') ports.push(plan.postgres.port);
  return ports;
}

export async function fetchJson(url: string, timeoutMs = 3000): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body };
}

/**
 * Waits until the app's /health says Kafka and Postgres are both up, and that
 * it is the process we started (app and instance): anything else answering on
 * its port is a collision, reported as such rather than taken for health.
 */
export async function waitHealthy(p: AppProcess, timeoutMs = 60_000): Promise<void> {
  let exitCode: number | null | undefined;
  void exited(p.child).then((c) => (exitCode = c));
  await waitFor(
    `${p.instance} to report healthy on http://127.0.0.1:${p.port}/health`,
    async () => {
      if (exitCode !== undefined) throw new Error(`${p.instance} exited during start-up (code ${exitCode}); its log lines above say why`);
      try {
        const r = await fetchJson(`http://127.0.0.1:${p.port}/health`);
        assertIdentity(p, r.body);
        return r.status === 200 && r.body?.status === 'ok';
      } catch (e) {
        if (e instanceof PortCollisionError) throw e;
        return false;
      }
    },
    timeoutMs,
  );
}

export class PortCollisionError extends Error {}

function assertIdentity(p: AppProcess, body: any): void {
  if (body?.app === p.app && body?.instance === p.instance) return;
  const who = body?.app ? `${body.app} (${body.instance}, pid ${body.pid})` : "a process that is not one of this emulator's apps";
  throw new PortCollisionError(`port ${p.port} is held by ${who}, not by ${p.instance}: stop that process or give this app another port (see the port variables in the README)`);
}

export async function stopApps(apps: AppProcess[]): Promise<void> {
  // The LGSPs first (they send), then the hub, then the registry.
  for (const p of [...apps].reverse()) {
    if (p.child.pid !== undefined) await stopProcess(p.child.pid, 15_000);
  }
}

export interface Stack {
  infra: InfraHandle;
  apps: AppProcess[];
  /** Set when a local Prometheus scrapes the stack. */
  prometheusUrl?: string;
  /** Kills one app process (SIGKILL, as a crash would) and starts it again; resolves when it is healthy. */
  restart(instance: string, downMs?: number): Promise<void>;
  /** Restarts crashed apps; `restarts` counts them per instance. */
  supervisor: Supervisor;
  stop(): Promise<void>;
}

/** The whole emulator: infrastructure, then the registry, the hub and the LGSP gateway. */
export async function startStack(o: UpOptions): Promise<Stack> {
  const env = o.env ?? process.env;
  // Said once per stack, loudly; each app's own copy of it (one per process, again at each restart) is dropped.
  const warning = stackDevelopmentWarning(env);
  if (warning) o.log(`*** ${warning} ***`);
  const appLog: Log = (line) => (line.includes(DEV_MODE_MARK) ? undefined : o.log(line));
  const infra = await startInfra(o);
  const apps: AppProcess[] = [];
  let prometheus: LocalPrometheus | undefined;
  /** The same instance again, on its port, healthy. */
  const respawn = async (old: AppProcess, extraEnv = old.extraEnv): Promise<AppProcess> => {
    const p = spawnApp(old.app, old.port, infra, env, appLog, old.instance, extraEnv);
    await waitHealthy(p);
    return p;
  };
  const supervisor = new Supervisor({
    log: o.log,
    respawn: (old, restarts) => respawn(old, { ...old.extraEnv, NDXP_SUPERVISOR_RESTARTS: String(restarts) }),
  });
  const replace = (next: AppProcess) => {
    const i = apps.findIndex((a) => a.instance === next.instance);
    if (i >= 0) apps[i] = next;
  };
  const stop = async () => {
    supervisor.stop();
    await prometheus?.stop();
    await stopApps(apps);
    await infra.stop();
  };
  try {
    for (const proc of stackProcesses(env, infra.plan.apps, reservedPorts(env, infra.plan))) {
      const p = spawnApp(proc.app, proc.port, infra, env, appLog, proc.instance, proc.extraEnv);
      apps.push(p);
      await waitHealthy(p);
      supervisor.watch(p, replace);
      o.log(`${proc.instance}: healthy on http://127.0.0.1:${p.port}  (health: /health, metrics: /metrics, API docs: /docs)`);
    }
    if (env.NDXP_PROMETHEUS !== '0') {
      const bin = prometheusBinary(env);
      if (!bin) o.log(PROMETHEUS_MISSING);
      else {
        const port = Number(env.PROMETHEUS_PORT || 9090);
        const targets: Record<string, number[]> = {};
        for (const p of apps) (targets[p.app] ??= []).push(p.port);
        prometheus = new LocalPrometheus({ bin, dir: join(runDir(env), 'prometheus'), port, targets, log: o.log, scrapeInterval: env.PROMETHEUS_SCRAPE_INTERVAL });
        await prometheus.start();
        // Ready is not scraped: Prometheus' discovery hands it the targets about 5 s after it is ready (seen in its own data).
        o.log(
          `Prometheus: ${prometheus.url} is up and scrapes every app, the first time within about 5 s, with the recording and alert rules of docker/prometheus (alerts: ${prometheus.url}/alerts)`,
        );
      }
    }
    const restart = async (instance: string, downMs = 1000) => {
      const i = apps.findIndex((a) => a.instance === instance);
      if (i < 0) throw new Error(`no process ${instance} in the stack (${apps.map((a) => a.instance).join(', ')})`);
      const old = apps[i];
      supervisor.expectExit(old);
      if (old.child.pid !== undefined) await stopProcess(old.child.pid, 0, 'SIGKILL');
      await new Promise((r) => setTimeout(r, downMs));
      const p = await respawn(old);
      apps[i] = p;
      supervisor.watch(p, replace);
    };
    return { infra, apps, prometheusUrl: prometheus?.url, restart, supervisor, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The smoke exchange: one round trip LGSP → Kafka → NDXP → LGSP. */
export async function smokeExchange(lgspPort: number): Promise<{ hub: string; roundTripMs: number }> {
  const r = await fetchJson(`http://127.0.0.1:${lgspPort}/ops/smoke`, 15_000);
  if (r.status !== 200) throw new Error(`smoke exchange failed: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}
