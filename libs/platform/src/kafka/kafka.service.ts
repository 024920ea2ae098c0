import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { kafkaMetrics } from '@ndxp/metrics';
import { Registry } from 'prom-client';
import { Admin, Kafka, Producer } from 'kafkajs';
import { BatchingProducer } from './batching-producer';
import { ensureTopics, TopicSpec } from './topics-admin';
import { brokerServes, createKafka } from './kafka-client';
import { consumerStatuses, ConsumerStatus } from './supervised-consumer';
import { DeadLetters, setDeadLetters } from './dead-letter';
import { Topics } from '@ndxp/contracts';
import { KafkaSecurity } from '../config/kafka-security';

export interface KafkaSettings {
  clientId: string;
  brokers: string[];
  /** Consumer group session timeout (KAFKA_SESSION_TIMEOUT_MS). */
  sessionTimeoutMs?: number;
  /** BatchingProducer's linger (KAFKA_LINGER_MS). */
  lingerMs?: number;
  /** How long a consumer's fetch may wait for KAFKA_FETCH_MIN_BYTES (KAFKA_FETCH_MAX_WAIT_MS). */
  fetchMaxWaitMs?: number;
  /** Bytes a consumer's fetch waits for (KAFKA_FETCH_MIN_BYTES). */
  fetchMinBytes?: number;
  /** TLS and SASL/SCRAM (KAFKA_SSL, KAFKA_SASL_*); none by default. */
  security?: KafkaSecurity;
}

export const KAFKA_SETTINGS = Symbol('KAFKA_SETTINGS');

export interface ComponentHealth {
  status: 'up' | 'down';
  detail?: string;
  [k: string]: unknown;
}

/**
 * One Kafka connection per app: the client, a shared producer with batching,
 * and an admin client kept open for health checks.
 */
@Injectable()
export class KafkaService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(KafkaService.name);
  readonly kafka: Kafka;
  private producer: Producer;
  private readonly admin: Admin;
  readonly batching: BatchingProducer;
  /** Where this process's consumers put the records they cannot process (Topics.deadLetter). */
  readonly deadLetters: DeadLetters;
  private readonly stoppers: Array<() => Promise<void>> = [];
  private readonly tracked = new Map<string, string>();
  private readonly metrics: ReturnType<typeof kafkaMetrics>;

  constructor(
    readonly settings: KafkaSettings,
    registry: Registry,
  ) {
    this.kafka = createKafka(
      settings.clientId,
      settings.brokers,
      false,
      {
        sessionTimeoutMs: settings.sessionTimeoutMs ?? 6000,
        fetchMaxWaitMs: settings.fetchMaxWaitMs,
        fetchMinBytes: settings.fetchMinBytes,
        onRequest: (api, client) => this.metrics.requests.inc({ api, client }),
      },
      settings.security,
    );
    this.producer = this.newProducer();
    this.admin = this.kafka.admin();
    // Lag is read from the broker when Prometheus scrapes, never on a timer of our own.
    this.metrics = kafkaMetrics(
      registry,
      async () => {
        const out: Array<{ group: string; topic: string; lag: number }> = [];
        for (const [group, topic] of this.tracked) {
          try {
            out.push({ group, topic, lag: await this.consumerLag(group, topic) });
          } catch {
            /* broker unreachable: the health check says so; leave the series out */
          }
        }
        return out;
      },
      () => this.consumers().map((c) => ({ group: c.group, topic: c.topic, running: c.state === 'running', restarts: c.restarts })),
    );
    this.batching = new BatchingProducer(this.producer, {
      ...(settings.lingerMs !== undefined ? { lingerMs: settings.lingerMs } : {}),
      onError: (topic, n) => this.metrics.produceErrors.inc({ topic }, n),
      onSlow: (n, ms, how) => this.logger.warn(`a produce of ${n} message(s) took ${ms} ms (${how}); later messages waited behind it`),
      retry: { giveUpMs: 30_000, brokerUp: () => brokerServes(settings.brokers, 500, settings.security?.ssl), renewProducer: () => this.renewProducer() },
    });
    this.deadLetters = new DeadLetters(this.batching, (labels) => this.metrics.deadLetters.inc(labels));
    setDeadLetters(this.kafka, this.deadLetters);
  }

  /**
   * Idempotent, acks=all (sendBatch's default), one request in flight: a batch retried after a broker stall
   * is written once and in order (test/middle/producer-stall.test.ts). kafkajs' own retries are kept short
   * (it warns that this weakens idempotence): BatchingProducer retries a failed batch itself, unchanged, and
   * moves to a new producer id only when the broker refuses the sequence numbers or a batch is given up on.
   * kafkajs#598 (OUT_OF_ORDER_SEQUENCE_NUMBER for good) came from concurrent sends on one producer; here one
   * batch is in flight at a time. Also the registry relay's producer.
   */
  newProducer(): Producer {
    const producer = this.kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1, retry: { retries: 2 } });
    producer.on(producer.events.REQUEST, (e) => this.metrics?.requests.inc({ api: e.payload.apiName, client: 'producer' }));
    return producer;
  }

  private async renewProducer(): Promise<Producer> {
    const next = this.newProducer();
    await next.connect();
    const old = this.producer;
    this.producer = next;
    await old.disconnect().catch(() => undefined);
    this.renewals++;
    this.logger.warn(`the Kafka producer got a new producer id (renewal ${this.renewals}): the broker refused its sequence numbers, or a batch was given up on`);
    return next;
  }

  private renewals = 0;

  /** Reports kafka_consumer_lag_messages for a group that commits its offsets. */
  trackLag(group: string, topic: string): void {
    this.tracked.set(group, topic);
  }

  /** Per partition: the log's low and high offsets and the group's committed offset (-1 when none). */
  async partitionOffsets(group: string, topic: string): Promise<Array<{ partition: number; low: number; high: number; committed: number }>> {
    const [ends, committed] = await Promise.all([this.admin.fetchTopicOffsets(topic), this.admin.fetchOffsets({ groupId: group, topics: [topic] })]);
    const done = new Map(committed[0]?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? []);
    return ends.map((p) => ({ partition: p.partition, low: Number(p.low), high: Number(p.high), committed: done.get(p.partition) ?? -1 }));
  }

  async consumerLag(group: string, topic: string): Promise<number> {
    const parts = await this.partitionOffsets(group, topic);
    return parts.reduce((sum, p) => sum + Math.max(0, p.high - (p.committed < 0 ? p.low : p.committed)), 0);
  }

  /** Creates missing topics, through the admin connection this app already holds. */
  ensureTopics(specs: TopicSpec[]): Promise<void> {
    return ensureTopics(this.admin, specs);
  }

  /** The offset after a single-partition topic's last message: how many it holds. */
  async topicEnd(topic: string): Promise<number> {
    const [p] = await this.admin.fetchTopicOffsets(topic);
    return Number(p.high);
  }

  /** Moves an idle group back to the start of a topic (for a replay). */
  /**
   * Forgets what `group` has committed, so that its consumers (which start `fromBeginning`) replay the topic from
   * the earliest offset. The group is deleted, one request that the broker refuses while the group has a member
   * (NON_EMPTY_GROUP). kafkajs's `admin.resetOffsets` did the same by joining the group with a consumer of its
   * own: 5.0 s of a 12.5 s rebuild of 500,000 events (bench/rebuild.bench.ts).
   */
  async forgetCommittedOffsets(group: string): Promise<void> {
    await this.admin.deleteGroups([group]);
  }

  async onModuleInit(): Promise<void> {
    try {
      await Promise.all([this.producer.connect(), this.admin.connect()]);
    } catch (e) {
      throw new Error(this.unreachable(e as Error), { cause: e });
    }
    this.logger.log(`connected to Kafka at ${this.settings.brokers.join(',')}`);
    // Before any consumer starts: a record it cannot process goes here. And before any admin API answers: its changes are audited there (AdminAudit).
    await ensureTopics(this.admin, [
      { topic: Topics.deadLetter, numPartitions: 1 },
      { topic: Topics.adminAudit, numPartitions: 1 },
    ]);
  }

  /** Why the first connection failed, and which settings to look at: a refused login is not a broker away. */
  private unreachable(e: Error): string {
    const at = this.settings.brokers.join(',');
    const sasl = this.settings.security?.sasl;
    if (e.name === 'KafkaJSSASLAuthenticationError' || /SASL|authentication/i.test(e.message))
      return (
        `Kafka at ${at} refused the login${sasl ? ` of KAFKA_SASL_USERNAME=${sasl.username} (${sasl.mechanism})` : ' (no KAFKA_SASL_* set)'}: ${e.message}. ` +
        `Check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD against the broker's SCRAM users.`
      );
    return `cannot reach Kafka at ${at}: ${e.message}. Start the stack with 'npm start' (it runs a local broker) or set KAFKA_BROKERS to a running broker (KAFKA_SASL_* if it wants a login).`;
  }

  /** Registers something to stop before the producer goes (consumers, requesters). */
  onShutdown(stop: () => Promise<void>): void {
    this.stoppers.push(stop);
  }

  /** The supervised consumers of this process and their state. */
  consumers(): ConsumerStatus[] {
    return [...consumerStatuses].map((c) => c.status());
  }

  /** Down when the broker does not answer, or when a consumer is not fetching (it is reconnecting). */
  async health(timeoutMs = 2000): Promise<ComponentHealth> {
    const consumers = this.consumers();
    const stuck = consumers.filter((c) => c.state !== 'running');
    try {
      const cluster = await Promise.race([
        this.admin.describeCluster(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs)),
      ]);
      const up = { brokers: cluster.brokers.length, controller: cluster.controller, consumers };
      if (stuck.length === 0) return { status: 'up', ...up };
      return { status: 'down', detail: `consumer(s) not running: ${stuck.map((c) => `${c.group} (${c.state})`).join(', ')}`, ...up };
    } catch (e) {
      return { status: 'down', detail: (e as Error).message, consumers };
    }
  }

  async onApplicationShutdown(): Promise<void> {
    for (const stop of this.stoppers.reverse()) await stop().catch(() => undefined);
    await this.batching.flush().catch(() => undefined);
    await Promise.all([this.producer.disconnect(), this.admin.disconnect()]).catch(() => undefined);
  }
}
