import { Logger } from '@nestjs/common';
import { Consumer, ConsumerConfig, ConsumerRunConfig, EachBatchPayload, Kafka } from 'kafkajs';
import { brokerServes, consumerDefaultsOf, unknownTopic } from './kafka-client';

export interface SupervisedConsumerOptions {
  groupId: string;
  topic: string;
  fromBeginning: boolean;
  run: ConsumerRunConfig;
  config?: Partial<ConsumerConfig>;
  /** How long a join may take before the attempt counts as failed (default 15 s). */
  joinTimeoutMs?: number;
  /**
   * No fetch for this long while running means the consumer is stuck: it is replaced (default 10 s). kafkajs
   * keeps a consumer 'running' through a broker outage while it retries: measured 34 s without a fetch after
   * a 30 s outage, the broker long back.
   */
  stallTimeoutMs?: number;
}

export type ConsumerState = 'starting' | 'running' | 'reconnecting' | 'stopped';

export interface ConsumerStatus {
  group: string;
  topic: string;
  state: ConsumerState;
  restarts: number;
  /** Since when the consumer has been in this state (ISO time). */
  since: string;
  lastError?: string;
}

/** Every supervised consumer of this process, for /health and the metrics. */
export const consumerStatuses = new Set<SupervisedConsumer>();

/**
 * A kafkajs consumer that always comes back. kafkajs 2.2.4 leaves a consumer
 * stopped for good after a non-retriable crash ("Failed to find group
 * coordinator" while a restarted broker loads its offsets), and worse, its
 * `run()` *resolves* when the group join fails: it emits CRASH and returns.
 * So a start counts as good only once the group is joined, every attempt has
 * a generation number (a CRASH of an older consumer is ignored, never
 * swallowed by a busy flag), and a watchdog replaces a consumer that stops
 * fetching.
 */
export class SupervisedConsumer {
  private readonly logger: Logger;
  private consumer: Consumer | undefined;
  private generation = 0;
  private state: ConsumerState = 'starting';
  private since = Date.now();
  private lastError: string | undefined;
  private lastFetchAt = Date.now();
  private watchdog: NodeJS.Timeout | undefined;
  restarts = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly o: SupervisedConsumerOptions,
  ) {
    this.logger = new Logger(`consumer:${o.groupId}`);
  }

  /** Starts consuming; rejects if the first attempt fails (the app then fails to start, naming the reason). */
  async start(): Promise<void> {
    consumerStatuses.add(this);
    await this.firstOpen();
    this.setState('running');
    const stallMs = this.o.stallTimeoutMs ?? 10_000;
    this.watchdog = setInterval(() => this.checkProgress(stallMs), Math.min(2000, stallMs / 2));
    this.watchdog.unref();
  }

  status(): ConsumerStatus {
    const s: ConsumerStatus = { group: this.o.groupId, topic: this.o.topic, state: this.state, restarts: this.restarts, since: new Date(this.since).toISOString() };
    return this.lastError ? { ...s, lastError: this.lastError } : s;
  }

  /**
   * The first attempt, tried again for up to 15 s while a broker says it does not know the topic: in a cluster a
   * topic just created reaches each broker's metadata a moment apart, and the group's first metadata request
   * may go to one that has not learnt it yet (seen on the local three-broker cluster, for a reply topic).
   */
  private async firstOpen(deadlineMs = 15_000): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      try {
        return await this.open();
      } catch (e) {
        if (!unknownTopic(e) || Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  /** One attempt: resolves once the group is joined, rejects on a crash or a join that takes too long. */
  private async open(): Promise<void> {
    const generation = ++this.generation;
    const { sessionTimeoutMs: session, fetchMaxWaitMs, fetchMinBytes, onRequest } = consumerDefaultsOf(this.kafka);
    const c = this.kafka.consumer({
      groupId: this.o.groupId,
      // A replaced member (a restarted hub, a consumer after a broker restart) waits out its dead
      // predecessor's session in a shared group: the session is the recovery time (KAFKA_SESSION_TIMEOUT_MS).
      sessionTimeout: session,
      heartbeatInterval: Math.max(100, Math.floor(session / 6)),
      maxWaitTimeInMs: fetchMaxWaitMs ?? 50,
      minBytes: fetchMinBytes ?? 1,
      // Only this supervisor restarts a consumer. kafkajs restarts one itself after a retriable crash; when the
      // watchdog replaced the same consumer meanwhile, the process ended up with two members in one group (seen
      // after a 30 s broker outage: half the partitions held by a member that did not fetch).
      retry: { restartOnFailure: async () => false },
      ...this.o.config,
    });
    this.consumer = c;
    let failStart: ((e: Error) => void) | undefined;
    // A fetch that came back, not one begun: a consumer retrying failed fetches is not making progress.
    c.on(c.events.FETCH, () => (this.lastFetchAt = Date.now()));
    if (onRequest) c.on(c.events.REQUEST, (e) => onRequest(e.payload.apiName, this.o.topic));
    c.on(c.events.CRASH, (e) => {
      if (generation !== this.generation || this.state === 'stopped') return; // an older consumer's last words
      this.lastError = e.payload.error.message;
      if (failStart) failStart(e.payload.error);
      else void this.reopen(generation, `crashed (${e.payload.error.message})`);
    });
    const joinTimeoutMs = this.o.joinTimeoutMs ?? 15_000;
    const joined = new Promise<void>((resolve, reject) => {
      failStart = reject;
      const timer = setTimeout(() => reject(new Error(`group not joined within ${joinTimeoutMs} ms`)), joinTimeoutMs);
      c.on(c.events.GROUP_JOIN, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    joined.catch(() => undefined);
    try {
      await c.connect();
      await c.subscribe({ topic: this.o.topic, fromBeginning: this.o.fromBeginning });
      await c.run(withSharedCommits(this.o.run));
      await joined;
      this.lastFetchAt = Date.now();
    } catch (e) {
      await c.disconnect().catch(() => undefined);
      throw e;
    } finally {
      failStart = undefined;
    }
  }

  /** Replaces the consumer of `generation` with a new one, retrying with backoff until it joins. */
  private async reopen(generation: number, why: string): Promise<void> {
    if (generation !== this.generation || this.state !== 'running') return; // stale, or a reconnect is under way
    this.setState('reconnecting');
    this.logger.warn(`${why}; reconnecting`);
    await this.consumer?.disconnect().catch(() => undefined);
    for (let attempt = 1; !this.stopped(); attempt++) {
      // At most 500 ms apart: while the broker is down an attempt is only a probe (below), and costs little.
      await new Promise((r) => setTimeout(r, Math.min(500, 250 * 2 ** (attempt - 1))));
      if (this.stopped()) return;
      // While the broker does not serve, an attempt would only sit in kafkajs' own retries (15 s and more,
      // measured), and the next one would start late: probe first, try when it serves.
      const { brokers, ssl } = consumerDefaultsOf(this.kafka);
      if (brokers && !(await brokerServes(brokers, undefined, ssl))) continue;
      try {
        await this.open();
        this.restarts++;
        this.setState('running');
        this.logger.log(`consuming ${this.o.topic} again after ${attempt} attempt(s) (restart ${this.restarts})`);
        return;
      } catch (e) {
        this.lastError = (e as Error).message;
        this.logger.warn(`reconnect attempt ${attempt} failed: ${(e as Error).message}; trying again`);
      }
    }
  }

  private checkProgress(stallMs: number): void {
    if (this.state !== 'running' || Date.now() - this.lastFetchAt < stallMs) return;
    void this.reopen(this.generation, `no fetch for ${Math.round((Date.now() - this.lastFetchAt) / 1000)} s`);
  }

  private stopped(): boolean {
    return this.state === 'stopped';
  }

  private setState(state: ConsumerState): void {
    if (this.state === 'stopped') return;
    this.state = state;
    this.since = Date.now();
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
    consumerStatuses.delete(this);
    if (this.watchdog) clearInterval(this.watchdog);
    await this.consumer?.disconnect();
  }
}

/**
 * kafkajs with auto-commit sends an OffsetCommit after every partition's batch (runner.handleBatch), whatever
 * autoCommitInterval says (tulios/kafkajs#759): at 300 transactions a second that was 2.92 of the 6.29 Kafka
 * requests a transaction (kafka_client_requests_total). Here each batch's offset is still committed before its
 * eachBatch returns, so before the next fetch, as kafkajs did; but the batches of one fetch, handled side by side,
 * share one OffsetCommit: a batch that ends while another's commit is in flight joins the next one.
 * The commit goes through the batch's own `commitOffsetsIfNecessary(offsets)`, the call kafkajs' auto-commit makes
 * (the consumer group's commit, no retrier of its own): a rebalance or a moved coordinator reaches kafkajs' runner
 * as the error it rejoins on, and a batch that ends while its consumer stops is still committed. A run that
 * resolves its own offsets (eachBatchAutoResolve: false) or commits for itself (autoCommit: false) is left alone:
 * committing its batch's last offset could skip records it never handled.
 */
export function withSharedCommits(run: ConsumerRunConfig): ConsumerRunConfig {
  const eachBatch = run.eachBatch;
  if (!eachBatch || run.autoCommit === false || run.eachBatchAutoResolve === false) return run;
  let commitVia: EachBatchPayload['commitOffsetsIfNecessary'] | undefined;
  const commits = new SharedCommits((offsets) => commitVia!({ topics: byTopic(offsets) }));
  return {
    ...run,
    autoCommit: false,
    eachBatch: async (payload) => {
      await eachBatch(payload);
      // Every batch of this run belongs to one consumer group: the latest batch's commit serves them all.
      commitVia = payload.commitOffsetsIfNecessary;
      const { topic, partition } = payload.batch;
      await commits.commit({ topic, partition, offset: (BigInt(payload.batch.lastOffset()) + 1n).toString() });
    },
  };
}

type TopicPartitionOffset = { topic: string; partition: number; offset: string };

/** An OffsetCommit's topics, each topic once with its partitions, as kafkajs' own commits send them. */
function byTopic(offsets: TopicPartitionOffset[]): Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }> {
  const topics = new Map<string, Array<{ partition: number; offset: string }>>();
  for (const { topic, partition, offset } of offsets) topics.set(topic, [...(topics.get(topic) ?? []), { partition, offset }]);
  return [...topics].map(([topic, partitions]) => ({ topic, partitions }));
}

/** Offsets to commit, gathered while a commit is in flight and sent together after it. */
export class SharedCommits {
  private pending = new Map<string, TopicPartitionOffset>();
  private next: Promise<void> | undefined;
  private last: Promise<void> = Promise.resolve();

  constructor(private readonly send: (offsets: TopicPartitionOffset[]) => Promise<void>) {}

  /** Resolves once an OffsetCommit holding this offset (or a later one of its partition) was answered. */
  commit(o: TopicPartitionOffset): Promise<void> {
    this.pending.set(`${o.topic}:${o.partition}`, o);
    return (this.next ??= this.flushAfter(this.last));
  }

  private flushAfter(previous: Promise<void>): Promise<void> {
    // setImmediate: the batches of one fetch that end in this turn of the event loop go in the same request.
    const flush = previous
      .catch(() => undefined)
      .then(() => new Promise((r) => setImmediate(r)))
      .then(() => {
        this.next = undefined;
        const offsets = [...this.pending.values()];
        this.pending.clear();
        return this.send(offsets);
      });
    this.last = flush;
    return flush;
  }
}
