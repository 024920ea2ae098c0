import { ChildProcess, spawn } from 'child_process';
import { createHash, randomBytes } from 'crypto';
import { chmodSync, createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'fs';
import { join } from 'path';
import { KAFKA_MAX_MESSAGE_BYTES, Topics } from '@ndxp/contracts';
import { portAnswers, waitFor } from '../net';
import { checkJava } from '../prerequisites';
import { commandLine, isAlive, stopProcess } from '../process';
import { ensureKafkaJars, Log } from './kafka-jars';
import { kafkaRoundTrip } from './kafka-probe';
import type { SaslCredentials } from '../infra-plan';

export interface LocalKafkaOptions {
  version: string;
  port: number;
  controllerPort: number;
  heap: string;
  /** Broker state: data, logs, pid file. */
  dir: string;
  cacheDir: string;
  log: Log;
  /** Wipe broker data before starting. */
  fresh?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Clients log in with SASL/SCRAM as this user (created when the storage is formatted); unset: plaintext, no login. */
  sasl?: SaslCredentials;
  /** As a member of a cluster (LocalKafkaCluster): its node, the quorum, the shared settings. Unset: a cluster of one. */
  member?: ClusterMember;
}

/** What a node of a several-broker cluster shares with the others, and its own id. */
export interface ClusterMember {
  nodeId: number;
  /** controller.quorum.voters: every node's id@host:controller port. */
  voters: string;
  replication: Replication;
  /** Formatted into every node's storage: nodes of different cluster ids refuse each other. */
  clusterId: string;
  /** The controller listener's PLAIN password (with SASL): every controller must accept the others'. */
  controllerSecret?: string;
}

export interface Replication {
  /** default.replication.factor, and that of the internal topics. */
  factor: number;
  /** min.insync.replicas: how many replicas an acks=all write must reach. */
  minInsync: number;
}

/** One broker keeps one copy; several keep up to three, of which an acks=all write needs two (one may fail). */
export function replicationFor(brokers: number): Replication {
  const factor = Math.min(brokers, 3);
  return { factor, minInsync: Math.max(1, factor - 1) };
}

export interface StartReport {
  jarsFromCache: boolean;
  jarsMs: number;
  brokerMs: number;
  roundTripMs: number;
}

export interface BrokerSettings {
  port: number;
  controllerPort: number;
  dataDir: string;
  sasl?: SaslCredentials;
  /** The controller listener's PLAIN password (with `sasl`): made for each start, broker and controller being one process. */
  controllerSecret?: string;
  /** Node 1 of a one-node quorum unless given. */
  nodeId?: number;
  voters?: string;
  replication?: Replication;
}

function plaintextListeners(o: BrokerSettings): string[] {
  return [
    `listeners=PLAINTEXT://127.0.0.1:${o.port},CONTROLLER://127.0.0.1:${o.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${o.port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
  ];
}

/**
 * The clients' listener takes SCRAM logins only; the broker uses the same user to itself. The controller's
 * listener needs a login too: a KRaft controller serves admin requests (create SCRAM users, delete topics) to
 * whoever reaches it, and with no authorizer any local user could. SCRAM cannot serve there (its users live in
 * the metadata the controller is the source of), so it takes PLAIN with a secret made for this start.
 */
function saslListeners(o: BrokerSettings, sasl: SaslCredentials): string[] {
  const scram = sasl.mechanism.toUpperCase();
  const secret = o.controllerSecret ?? randomBytes(24).toString('hex');
  return [
    `listeners=SASL_PLAINTEXT://127.0.0.1:${o.port},CONTROLLER://127.0.0.1:${o.controllerPort}`,
    `advertised.listeners=SASL_PLAINTEXT://127.0.0.1:${o.port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=SASL_PLAINTEXT',
    'listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT',
    `sasl.enabled.mechanisms=${scram}`,
    `sasl.mechanism.inter.broker.protocol=${scram}`,
    `listener.name.sasl_plaintext.${sasl.mechanism}.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${sasl.username}" password="${sasl.password}";`,
    'sasl.mechanism.controller.protocol=PLAIN',
    'listener.name.controller.sasl.enabled.mechanisms=PLAIN',
    `listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="controller" password="${secret}" user_controller="${secret}";`,
  ];
}

/**
 * One node that is both broker and KRaft controller: alone (node 1, replication 1) or one of a cluster's
 * (its node id, the shared quorum and replication); with `sasl`, no listener without a login.
 */
export function serverProperties(o: BrokerSettings): string {
  const nodeId = o.nodeId ?? 1;
  const r = o.replication ?? { factor: 1, minInsync: 1 };
  return [
    'process.roles=broker,controller',
    `node.id=${nodeId}`,
    `controller.quorum.voters=${o.voters ?? `${nodeId}@127.0.0.1:${o.controllerPort}`}`,
    ...(o.sasl ? saslListeners(o, o.sasl) : plaintextListeners(o)),
    `log.dirs=${o.dataDir}`,
    // Internal topics must not ask for more replicas than there are brokers (with one broker, consumer groups
    // would never find their coordinator); every topic gets the cluster's factor unless it names one.
    `offsets.topic.replication.factor=${r.factor}`,
    'offsets.topic.num.partitions=10',
    `transaction.state.log.replication.factor=${r.factor}`,
    `transaction.state.log.min.isr=${r.minInsync}`,
    `share.coordinator.state.topic.replication.factor=${r.factor}`,
    `default.replication.factor=${r.factor}`,
    // With three copies an acks=all write is acknowledged once two hold it: one broker may die without loss.
    `min.insync.replicas=${r.minInsync}`,
    // Consumers join at once instead of waiting 3 s for others that never come.
    'group.initial.rebalance.delay.ms=0',
    // Lets the apps use short consumer sessions (KAFKA_SESSION_TIMEOUT_MS=3000): a crashed member's
    // partitions move in 3 s instead of the default minimum's 6.
    'group.min.session.timeout.ms=1000',
    // After a kill -9 the controller keeps the dead broker's registration until its session lapses
    // (broker.session.timeout.ms, 9 s by default) and refuses the restarted broker meanwhile
    // (DUPLICATE_BROKER_REGISTRATION): its partitions have no leader, though the port already accepts
    // connections. Broker and controller are one process here, so a short session costs nothing, and the
    // restarted broker is accepted about 2 s after its controller starts instead of 9.
    'broker.session.timeout.ms=2000',
    'broker.heartbeat.interval.ms=500',
    // Apps create their topics explicitly, with the partitions they need.
    'auto.create.topics.enable=false',
    'num.partitions=1',
    'log.retention.hours=-1',
    'log.retention.bytes=-1',
    // A request of 1 MiB travels as 1.4 MB of base64 in its envelope: above Kafka's default of 1 MiB.
    `message.max.bytes=${KAFKA_MAX_MESSAGE_BYTES}`,
    `replica.fetch.max.bytes=${KAFKA_MAX_MESSAGE_BYTES}`,
    '',
  ].join('\n');
}

const LOG4J = (logDir: string) =>
  [
    'log4j.rootLogger=INFO, file',
    'log4j.appender.file=org.apache.log4j.RollingFileAppender',
    `log4j.appender.file.File=${join(logDir, 'server.log')}`,
    'log4j.appender.file.MaxFileSize=20MB',
    'log4j.appender.file.MaxBackupIndex=2',
    'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
    'log4j.logger.kafka=INFO',
    'log4j.logger.org.apache.kafka=INFO',
    'log4j.logger.state.change.logger=WARN',
    '',
  ].join('\n');

/**
 * The cluster id of formatted storage, or a new one in Kafka's Uuid form (16
 * random bytes, URL-safe base64 without padding). Re-formatting kept data with
 * another id is refused by Kafka, so a restart must reuse the stored one.
 */
export function clusterIdFor(dataDir: string): string {
  const meta = join(dataDir, 'meta.properties');
  if (existsSync(meta)) {
    const m = readFileSync(meta, 'utf8').match(/^cluster\.id=(.+)$/m);
    if (m) return m[1].trim();
  }
  return newClusterId();
}

/** Like Kafka's own Uuid.randomUuid: never starting with '-', which the storage tool would read as an option. */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

const saslStampFile = (dataDir: string) => join(dataDir, 'ndxp-sasl.stamp');

/** Which SCRAM user the storage was formatted with: a salted hash, so the file does not hold the password. */
function saslStamp(clusterId: string, sasl: SaslCredentials): string {
  return createHash('sha256').update(`${clusterId}\n${sasl.mechanism}\n${sasl.username}\n${sasl.password}`).digest('hex');
}

/**
 * Kept data was formatted without this SCRAM user (without SASL, or another user or password): every login,
 * the launcher's own first, would be refused. Said now, with what to do, instead.
 */
function checkSaslStamp(dataDir: string, clusterId: string, sasl: SaslCredentials, formatted: boolean): void {
  if (!formatted) return;
  const stamp = existsSync(saslStampFile(dataDir)) ? readFileSync(saslStampFile(dataDir), 'utf8').trim() : undefined;
  if (stamp === saslStamp(clusterId, sasl)) return;
  throw new Error(
    `the local broker's data in ${dataDir} was formatted ${stamp ? 'for another KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD' : 'without KAFKA_SASL_*'}, ` +
      `and Kafka creates its SCRAM user only when it formats its storage. Start with --fresh (it wipes the local broker's data), ` +
      `use another NDXP_RUN_DIR, or the settings the data was formatted with.`,
  );
}

/**
 * A real Apache Kafka broker from Maven Central's jars, started as a child JVM.
 * It is stopped with SIGTERM (Kafka's clean shutdown) and leaves a pid file so
 * that a broker orphaned by a killed launcher is stopped on the next start.
 */
export class LocalKafkaBroker {
  private child: ChildProcess | undefined;
  readonly brokers: string[];
  private readonly pidFile: string;

  constructor(private readonly o: LocalKafkaOptions) {
    this.brokers = [`127.0.0.1:${o.port}`];
    this.pidFile = join(o.dir, 'broker.pid');
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get logFile(): string {
    return join(this.o.dir, 'logs', 'server.log');
  }

  private async stopOrphan(): Promise<void> {
    if (!existsSync(this.pidFile)) return;
    const pid = Number(readFileSync(this.pidFile, 'utf8').trim());
    if (pid > 0 && isAlive(pid) && commandLine(pid).includes('kafka.Kafka')) {
      this.o.log(`stopping a Kafka broker left running by an earlier run (pid ${pid}) ...`);
      await stopProcess(pid, 30_000);
    }
    unlinkSync(this.pidFile);
  }

  /** "the Kafka broker", or "Kafka broker 2" in a cluster: for messages. */
  get name(): string {
    return this.o.member ? `Kafka broker ${this.o.member.nodeId}` : 'the Kafka broker';
  }

  /** Starts the broker and proves it with a message round trip (`probe: false`: a cluster probes once, when all are up). */
  async start(probe = true): Promise<StartReport> {
    const env = this.o.env ?? process.env;
    // Checked once: `java -version` is a blocking JVM start, and a restart under load (a fault) must not stall this process.
    const java = (this.java ??= checkJava(env));
    const t0 = Date.now();
    const jars = await ensureKafkaJars(this.o.version, this.o.cacheDir, this.o.log, env);
    const jarsMs = Date.now() - t0;
    this.o.log(
      jars.fromCache
        ? `Kafka ${this.o.version} jars: reusing ${jars.jarCount} cached jars in ${jars.libsDir}`
        : `Kafka ${this.o.version} jars: ${jars.jarCount} jars resolved in ${(jarsMs / 1000).toFixed(1)} s, cached in ${jars.libsDir}`,
    );

    await this.stopOrphan();
    await this.checkPorts();
    const t1 = Date.now();
    await this.launch(java.command, jars.libsDir, env);
    try {
      await this.listening();
      const brokerMs = Date.now() - t1;
      const roundTripMs = probe ? await kafkaRoundTrip(this.brokers, Topics.launcherProbe, undefined, { sasl: this.o.sasl }) : 0;
      return { jarsFromCache: jars.fromCache, jarsMs, brokerMs, roundTripMs };
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  private async checkPorts(): Promise<void> {
    for (const p of [this.o.port, this.o.controllerPort]) {
      if (await portAnswers(p))
        throw new Error(
          `port ${p} is already in use, so ${this.name} cannot listen there. ` +
            `Stop whatever holds it, choose other ports with KAFKA_PORT / KAFKA_CONTROLLER_PORT, ` +
            `or point KAFKA_BROKERS at that broker if it is one.`,
        );
    }
  }

  /** Writes the settings, formats the storage if new, and spawns the JVM. */
  private async launch(java: string, libsDir: string, env: NodeJS.ProcessEnv): Promise<void> {
    const dataDir = join(this.o.dir, 'data');
    const logDir = join(this.o.dir, 'logs');
    // --fresh wipes the data on the first start only: a broker restarted by a fault keeps its log, as a real one would.
    if (this.o.fresh && !this.wiped) rmSync(dataDir, { recursive: true, force: true });
    this.wiped = true;
    mkdirSync(dataDir, { recursive: true });
    mkdirSync(logDir, { recursive: true });
    const props = join(this.o.dir, 'server.properties');
    const log4j = join(this.o.dir, 'log4j.properties');
    const m = this.o.member;
    const settings: BrokerSettings = { port: this.o.port, controllerPort: this.o.controllerPort, dataDir, sasl: this.o.sasl };
    if (m) Object.assign(settings, { nodeId: m.nodeId, voters: m.voters, replication: m.replication, controllerSecret: m.controllerSecret });
    writeFileSync(props, serverProperties(settings), { mode: 0o600 });
    chmodSync(props, 0o600); // it may hold passwords; a file from an earlier run keeps its mode otherwise
    writeFileSync(log4j, LOG4J(logDir));

    const jvmCommon = ['-cp', `${libsDir}/*`, `-Dlog4j.configuration=file:${log4j}`, `-Dkafka.logs.dir=${logDir}`, '-Djava.awt.headless=true'];
    // Formatting is idempotent with --ignore-formatted: data from an earlier run is kept.
    const stopsBefore = this.stops;
    await this.format(java, jvmCommon, dataDir, props);
    if (this.stops !== stopsBefore) throw new Error(`${this.name} was stopped while its storage was being formatted; not started`);

    const console = createWriteStream(join(logDir, 'console.log'), { flags: 'a' });
    const child = spawn(java, [`-Xms${this.o.heap}`, `-Xmx${this.o.heap}`, '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', ...jvmCommon, 'kafka.Kafka', props], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    child.stdout!.pipe(console);
    child.stderr!.pipe(console);
    writeFileSync(this.pidFile, String(child.pid));
    this.exitCode = undefined;
    // This child's exit only: a killed predecessor's late one must not fail the start of its successor.
    child.once('exit', (code) => {
      if (this.child === child) this.exitCode = code;
    });
  }

  private exitCode: number | null | undefined;
  private java: { command: string } | undefined;
  /** Bumped by stop() and kill(): a start that was formatting meanwhile must not launch the JVM after them. */
  private stops = 0;
  private wiped = false;

  private async listening(): Promise<void> {
    await waitFor(
      `${this.name} to listen on 127.0.0.1:${this.o.port}`,
      async () => {
        if (this.exitCode !== undefined) throw new Error(`${this.name} exited during start-up (code ${this.exitCode}); see ${this.logFile}`);
        return portAnswers(this.o.port);
      },
      90_000,
    );
  }

  /**
   * Formats the storage unless an earlier run did (its data is kept). The SCRAM user goes in at formatting, the
   * only time Kafka takes one without a login; its argument is read from a file of this user's only, not the
   * command line, which any local user can list. The tool is a JVM of its own (a second or more): it runs
   * alongside, never blocking this process, which may be a scenario's load generator restarting a broker.
   */
  private async format(java: string, jvmCommon: string[], dataDir: string, props: string): Promise<void> {
    const sasl = this.o.sasl;
    const formatted = existsSync(join(dataDir, 'meta.properties'));
    const clusterId = this.o.member?.clusterId ?? clusterIdFor(dataDir);
    if (sasl) checkSaslStamp(dataDir, clusterId, sasl, formatted);
    const argsFile = join(this.o.dir, 'format.args');
    if (sasl) writeFileSync(argsFile, `--add-scram\n${sasl.mechanism.toUpperCase()}=[name=${sasl.username},password=${sasl.password}]\n`, { mode: 0o600 });
    try {
      const args = ['format', '-t', clusterId, '-c', props, '--ignore-formatted', ...(sasl ? [`@${argsFile}`] : [])];
      const fmt = await runTool(java, ['-Xmx256m', ...jvmCommon, 'kafka.tools.StorageTool', ...args], this.o.env ?? process.env);
      // The storage tool quotes an argument it cannot parse: never the password.
      const output = sasl ? fmt.output.split(sasl.password).join('***') : fmt.output;
      if (fmt.status !== 0) throw new Error(`formatting Kafka storage in ${dataDir} failed (${fmt.failure ?? `exit ${fmt.status}`}):\n${output}`);
    } finally {
      if (sasl) rmSync(argsFile, { force: true });
    }
    if (sasl && !formatted) writeFileSync(saslStampFile(dataDir), saslStamp(clusterId, sasl), { mode: 0o600 });
  }

  /** A crash: SIGKILL (kill -9), no clean shutdown (for fault scenarios). */
  async kill(): Promise<void> {
    this.stops++;
    const pid = this.child?.pid;
    if (pid !== undefined) await stopProcess(pid, 0, 'SIGKILL');
    this.child = undefined;
  }

  /** Kafka's own clean shutdown on SIGTERM; SIGKILL only if it hangs for 30 s. */
  async stop(): Promise<void> {
    this.stops++;
    const pid = this.child?.pid;
    if (pid !== undefined) {
      const how = await stopProcess(pid, 30_000);
      if (how === 'killed') this.o.log(`${this.name} did not stop within 30 s and was killed`);
    }
    this.child = undefined;
    if (existsSync(this.pidFile)) unlinkSync(this.pidFile);
  }
}

/**
 * A command's exit status and output, without blocking the event loop as spawnSync would (the format is a JVM
 * of its own, a second or more). A missing binary, a signal or the timeout is said in `failure`.
 */
function runTool(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<{ status: number | null; output: string; failure?: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.once('error', (e: NodeJS.ErrnoException) => resolve({ status: null, output, failure: `cannot run ${command}: ${e.code ?? e.message}` }));
    child.once('close', (code, signal) =>
      resolve({ status: code, output, ...(signal ? { failure: `ended by ${signal}${signal === 'SIGTERM' ? ` (timeout of ${timeoutMs / 1000} s?)` : ''}` } : {}) }),
    );
  });
}
