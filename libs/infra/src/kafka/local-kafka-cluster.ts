import { randomBytes } from 'crypto';
import { existsSync } from 'fs';
import { join } from 'path';
import { Kafka, logLevel } from 'kafkajs';
import { Topics } from '@ndxp/contracts';
import { kafkaAuth } from '@ndxp/platform';
import { waitFor } from '../net';
import { ensureKafkaJars } from './kafka-jars';
import { kafkaRoundTrip } from './kafka-probe';
import { clusterIdFor, LocalKafkaBroker, LocalKafkaOptions, newClusterId, replicationFor, StartReport } from './local-kafka-broker';
import type { KafkaNodePorts } from '../infra-plan';

export interface LocalKafkaClusterOptions extends Omit<LocalKafkaOptions, 'port' | 'controllerPort' | 'member'> {
  /** One entry per broker, node ids 1, 2, ... in this order. */
  nodes: KafkaNodePorts[];
}

/**
 * Apache Kafka brokers from the same cached jars, each a combined broker and KRaft controller with its own
 * ports, node id and directory (`dir`/broker-N), all voters of one controller quorum and formatted with one
 * cluster id. A cluster of one is the plain LocalKafkaBroker in `dir` itself, exactly as before clusters.
 */
export class LocalKafkaCluster {
  readonly members: LocalKafkaBroker[];
  readonly brokers: string[];

  constructor(private readonly o: LocalKafkaClusterOptions) {
    if (o.nodes.length < 1) throw new Error('a Kafka cluster needs at least one broker');
    this.members = o.nodes.length === 1 ? [new LocalKafkaBroker({ ...o, ...o.nodes[0] })] : this.clusterMembers();
    this.brokers = this.members.flatMap((m) => m.brokers);
  }

  private clusterMembers(): LocalKafkaBroker[] {
    const dirs = this.o.nodes.map((_, i) => join(this.o.dir, `broker-${i + 1}`));
    // Kept data keeps its cluster id (Kafka refuses to re-format it under another); --fresh wipes it, so a new one.
    const formatted = dirs.find((d) => existsSync(join(d, 'data', 'meta.properties')));
    const clusterId = !this.o.fresh && formatted ? clusterIdFor(join(formatted, 'data')) : newClusterId();
    const voters = this.o.nodes.map((n, i) => `${i + 1}@127.0.0.1:${n.controllerPort}`).join(',');
    // One secret for the cluster's life: each controller logs in to the others with it, a restarted one too.
    const controllerSecret = this.o.sasl ? randomBytes(24).toString('hex') : undefined;
    const replication = replicationFor(this.o.nodes.length);
    return this.o.nodes.map((n, i) => new LocalKafkaBroker({ ...this.o, ...n, dir: dirs[i], member: { nodeId: i + 1, voters, replication, clusterId, controllerSecret } }));
  }

  get size(): number {
    return this.members.length;
  }

  /** Every live broker's process id. */
  get pids(): number[] {
    return this.members.map((m) => m.pid).filter((p): p is number => p !== undefined);
  }

  get logFiles(): string[] {
    return this.members.map((m) => m.logFile);
  }

  /**
   * Starts every broker at once (a controller waits for a majority of the quorum, so one by one would not
   * do), then proves the cluster with one message round trip.
   */
  async start(): Promise<StartReport> {
    if (this.size === 1) return this.members[0].start();
    const t0 = Date.now();
    // Resolved once here, not by three brokers at once into the same cache.
    const jars = await ensureKafkaJars(this.o.version, this.o.cacheDir, this.o.log, this.o.env ?? process.env);
    const t1 = Date.now();
    const started = await Promise.allSettled(this.members.map((m) => m.start(false)));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    try {
      if (failed) throw failed.reason;
      await this.allServing();
      const brokerMs = Date.now() - t1;
      const roundTripMs = await kafkaRoundTrip(this.brokers, Topics.launcherProbe, undefined, { sasl: this.o.sasl });
      return { jarsFromCache: jars.fromCache, jarsMs: t1 - t0, brokerMs, roundTripMs };
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  /**
   * Resolves once the controller counts every broker in (registered, caught up with the metadata, unfenced).
   * A port answers earlier: a client sent to a broker still catching up heard "does not host this
   * topic-partition" for a topic just created (the launcher's own probe, seen).
   */
  private async allServing(timeoutMs = 60_000): Promise<void> {
    const admin = new Kafka({ clientId: 'ndxp-launcher-cluster', brokers: this.brokers, logLevel: logLevel.NOTHING, ...kafkaAuth({ sasl: this.o.sasl }) }).admin();
    await admin.connect();
    try {
      const serving = async () => (await admin.describeCluster().catch(() => undefined))?.brokers.length === this.size;
      await waitFor(`all ${this.size} Kafka brokers to join the cluster`, serving, timeoutMs);
    } finally {
      await admin.disconnect();
    }
  }

  /** Broker `index` (1-based, its node id), or an error naming the brokers there are. */
  member(index: number): LocalKafkaBroker {
    const m = this.members[index - 1];
    if (!Number.isInteger(index) || !m) throw new Error(`there is no Kafka broker ${index}: the local cluster has broker${this.size > 1 ? `s 1-${this.size}` : ' 1'}`);
    return m;
  }

  /** kill -9 of one broker: no clean shutdown, its partitions' leadership moves when its session lapses. */
  async kill(index: number): Promise<void> {
    await this.member(index).kill();
  }

  /** One broker stopped cleanly and started again on its data; resolves when it is back in the cluster. */
  async restart(index: number): Promise<void> {
    await this.member(index).stop();
    await this.revive(index);
  }

  /** One broker started again on its data after a kill; resolves when it is back in the cluster. */
  async revive(index: number): Promise<void> {
    await this.member(index).start(this.size === 1);
    if (this.size > 1) await this.allServing();
  }

  /** Every broker stopped cleanly, at once: one by one, the last ones would wait for a quorum already gone. */
  async stop(): Promise<void> {
    await Promise.all(this.members.map((m) => m.stop()));
  }
}
