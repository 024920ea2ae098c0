import { ChildProcess, spawn, spawnSync } from 'child_process';
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

/** Single-node settings: one broker that is also the KRaft controller; with `sasl`, no listener without a login. */
export function serverProperties(o: BrokerSettings): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${o.controllerPort}`,
    ...(o.sasl ? saslListeners(o, o.sasl) : plaintextListeners(o)),
    `log.dirs=${o.dataDir}`,
    // One broker: every internal topic must have replication factor 1, or
    // consumer groups never find their coordinator.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'default.replication.factor=1',
    'min.insync.replicas=1',
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
  // Like Kafka's own Uuid.randomUuid: never starting with '-', which the storage tool would read as an option.
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

  async start(): Promise<StartReport> {
    const env = this.o.env ?? process.env;
    const java = checkJava(env);
    const t0 = Date.now();
    const jars = await ensureKafkaJars(this.o.version, this.o.cacheDir, this.o.log, env);
    const jarsMs = Date.now() - t0;
    this.o.log(
      jars.fromCache
        ? `Kafka ${this.o.version} jars: reusing ${jars.jarCount} cached jars in ${jars.libsDir}`
        : `Kafka ${this.o.version} jars: ${jars.jarCount} jars resolved in ${(jarsMs / 1000).toFixed(1)} s, cached in ${jars.libsDir}`,
    );

    await this.stopOrphan();
    for (const p of [this.o.port, this.o.controllerPort]) {
      if (await portAnswers(p))
        throw new Error(
          `port ${p} is already in use, so the local Kafka broker cannot listen there. ` +
            `Stop whatever holds it, choose other ports with KAFKA_PORT / KAFKA_CONTROLLER_PORT, ` +
            `or point KAFKA_BROKERS at that broker if it is one.`,
        );
    }

    const dataDir = join(this.o.dir, 'data');
    const logDir = join(this.o.dir, 'logs');
    if (this.o.fresh) rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true });
    mkdirSync(logDir, { recursive: true });
    const props = join(this.o.dir, 'server.properties');
    const log4j = join(this.o.dir, 'log4j.properties');
    writeFileSync(props, serverProperties({ port: this.o.port, controllerPort: this.o.controllerPort, dataDir, sasl: this.o.sasl }), { mode: 0o600 });
    chmodSync(props, 0o600); // it may hold passwords; a file from an earlier run keeps its mode otherwise
    writeFileSync(log4j, LOG4J(logDir));

    const classpath = `${jars.libsDir}/*`;
    const jvmCommon = ['-cp', classpath, `-Dlog4j.configuration=file:${log4j}`, `-Dkafka.logs.dir=${logDir}`, '-Djava.awt.headless=true'];
    const t1 = Date.now();
    // Formatting is idempotent with --ignore-formatted: data from an earlier run is kept.
    this.format(java.command, jvmCommon, dataDir, props);

    const console = createWriteStream(join(logDir, 'console.log'), { flags: 'a' });
    this.child = spawn(java.command, [`-Xms${this.o.heap}`, `-Xmx${this.o.heap}`, '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', ...jvmCommon, 'kafka.Kafka', props], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child.stdout!.pipe(console);
    this.child.stderr!.pipe(console);
    writeFileSync(this.pidFile, String(this.child.pid));
    let exitedEarly: number | null | undefined;
    this.child.once('exit', (code) => (exitedEarly = code));

    try {
      await waitFor(
        `the Kafka broker to listen on 127.0.0.1:${this.o.port}`,
        async () => {
          if (exitedEarly !== undefined) throw new Error(`the Kafka broker exited during start-up (code ${exitedEarly}); see ${this.logFile}`);
          return portAnswers(this.o.port);
        },
        90_000,
      );
      const brokerMs = Date.now() - t1;
      const roundTripMs = await kafkaRoundTrip(this.brokers, Topics.launcherProbe, undefined, { sasl: this.o.sasl });
      return { jarsFromCache: jars.fromCache, jarsMs, brokerMs, roundTripMs };
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  /**
   * Formats the storage unless an earlier run did (its data is kept). The SCRAM user goes in at formatting, the
   * only time Kafka takes one without a login; its argument is read from a file of this user's only, not the
   * command line, which any local user can list.
   */
  private format(java: string, jvmCommon: string[], dataDir: string, props: string): void {
    const sasl = this.o.sasl;
    const formatted = existsSync(join(dataDir, 'meta.properties'));
    const clusterId = clusterIdFor(dataDir);
    if (sasl) checkSaslStamp(dataDir, clusterId, sasl, formatted);
    const argsFile = join(this.o.dir, 'format.args');
    if (sasl) writeFileSync(argsFile, `--add-scram\n${sasl.mechanism.toUpperCase()}=[name=${sasl.username},password=${sasl.password}]\n`, { mode: 0o600 });
    try {
      const args = ['format', '-t', clusterId, '-c', props, '--ignore-formatted', ...(sasl ? [`@${argsFile}`] : [])];
      const fmt = spawnSync(java, ['-Xmx256m', ...jvmCommon, 'kafka.tools.StorageTool', ...args], { env: this.o.env ?? process.env, encoding: 'utf8' });
      // The storage tool quotes an argument it cannot parse: never the password.
      const output = `${fmt.stdout}${fmt.stderr}`;
      if (fmt.status !== 0) throw new Error(`formatting Kafka storage in ${dataDir} failed (exit ${fmt.status}):\n${sasl ? output.split(sasl.password).join('***') : output}`);
    } finally {
      if (sasl) rmSync(argsFile, { force: true });
    }
    if (sasl && !formatted) writeFileSync(saslStampFile(dataDir), saslStamp(clusterId, sasl), { mode: 0o600 });
  }

  /** A crash: SIGKILL, no clean shutdown (for fault scenarios). */
  async kill(): Promise<void> {
    const pid = this.child?.pid;
    if (pid !== undefined) await stopProcess(pid, 0, 'SIGKILL');
    this.child = undefined;
  }

  /** Kafka's own clean shutdown on SIGTERM; SIGKILL only if it hangs for 30 s. */
  async stop(): Promise<void> {
    const pid = this.child?.pid;
    if (pid !== undefined) {
      const how = await stopProcess(pid, 30_000);
      if (how === 'killed') this.o.log(`the Kafka broker did not stop within 30 s and was killed`);
    }
    this.child = undefined;
    if (existsSync(this.pidFile)) unlinkSync(this.pidFile);
  }
}
