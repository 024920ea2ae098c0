import { Message, Producer } from 'kafkajs';
import { KAFKA_MAX_MESSAGE_BYTES, KAFKA_RECORD_OVERHEAD_BYTES } from '@ndxp/contracts';

interface Pending {
  topic: string;
  message: Message;
  /** When the message is no use to anyone any more (a request past its deadline): not sent after that. */
  expiresAt?: number;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** A message whose `expiresAt` passed while it waited for the broker: it was never sent. */
export class MessageExpiredError extends Error {
  constructor(topic: string) {
    super(`a message for ${topic} expired before it could be sent`);
    this.name = 'MessageExpiredError';
  }
}

/** How a failed batch is tried again: until giveUpMs, as soon as a broker accepts connections. */
export interface BatchRetry {
  giveUpMs: number;
  brokerUp: () => Promise<boolean>;
  /**
   * For an idempotent producer: a new producer, with a new producer id (the old one disconnected). Needed
   * when a retry cannot resend exactly what the failed attempt sent (some of it expired meanwhile), and
   * after the broker refuses the producer's sequence numbers: see sendWithRetry.
   */
  renewProducer?: () => Promise<Producer>;
}

export interface BatchingOptions {
  lingerMs: number;
  maxBatch: number;
  /**
   * Bytes of messages in one sendBatch: below the topics' max.message.bytes, so that no record batch
   * the broker gets is over it and a message too large for Kafka fails alone, never its neighbours.
   */
  maxBatchBytes: number;
  /** Told of every message whose produce failed (for kafka_produce_errors_total), and once of each topic (count 0). */
  onError?: (topic: string, count: number) => void;
  /** Told of a batch that took over 2 s or failed: every later message waited behind it. */
  onSlow?: (messages: number, ms: number, how: string) => void;
  /** Without it a failed batch is rejected at once. */
  retry?: BatchRetry;
}

/**
 * Collects messages for a short linger window and sends them in one
 * `sendBatch` call. At thousands of messages a second one `send` per message
 * costs a broker round trip each; a batch costs one for all of them.
 *
 * One sendBatch at a time (in order), and each takes everything queued while
 * the one before it was out, as Kafka's own producer fills a batch while a
 * request is in flight: the slower the broker acknowledges, the larger the
 * batches, so the rate carried does not fall with the broker's latency. (Each
 * linger window used to become a batch of its own, queued behind the others:
 * on a cold three-broker cluster, where an acks=all send took 40-100 ms, a
 * gateway's 1-2-message batches waited ~5 s in line, until their requests
 * expired, for the first minute at 50 requests/s.)
 *
 * A failed batch is retried here, not in kafkajs: kafkajs' own retries grew to
 * 12-24 s per batch during a broker outage and a batch tried just as the
 * broker came back still took 10 s (measured), with every later message
 * waiting behind it. Here a retry goes out as soon as a broker accepts
 * connections again.
 */
export class BatchingProducer {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** A sendBatch is out: what is queued meanwhile goes in the next one, as soon as it returns. */
  private sending = false;
  /** Messages queued since the start, and those the sending loop has finished with (sent, failed or dropped). */
  private queued = 0;
  private finished = 0;
  /** flush() callers, each waiting until the messages queued before its call are finished with. */
  private flushWaiters: Array<{ upTo: number; resolve: () => void }> = [];

  private readonly options: BatchingOptions;

  constructor(
    private producer: Producer,
    options: Partial<BatchingOptions> = {},
  ) {
    this.options = { lingerMs: 2, maxBatch: 1000, maxBatchBytes: KAFKA_MAX_MESSAGE_BYTES - KAFKA_RECORD_OVERHEAD_BYTES, ...options };
  }

  private readonly topics = new Set<string>();

  /**
   * Queues a message. With `expiresAt`, a message still waiting for the broker at that time is dropped
   * unsent (rejected with MessageExpiredError): after an outage the broker then gets the work that can
   * still matter first, not requests whose callers were answered long ago.
   */
  send(topic: string, message: Message, opts: { expiresAt?: number } = {}): Promise<void> {
    if (!this.topics.has(topic)) {
      this.topics.add(topic);
      this.options.onError?.(topic, 0); // the error series exists from the first message: a dashboard shows 0, not "no data"
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ topic, message, expiresAt: opts.expiresAt, resolve, reject });
      this.queued++;
      if (this.queue.length >= this.options.maxBatch) this.sendNow();
      else if (!this.timer && !this.sending) this.timer = setTimeout(() => this.sendNow(), this.options.lingerMs);
    });
  }

  /** Starts the sending loop unless it runs already (it then takes what is queued when its current send returns). */
  private sendNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.sending || this.queue.length === 0) return;
    this.sending = true;
    void this.sendQueued();
  }

  /** One sendBatch at a time, each with what is queued when it starts (up to maxBatch and maxBatchBytes), until none is. */
  private async sendQueued(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const [batch] = chunksOf(this.queue.slice(0, this.options.maxBatch), this.options.maxBatchBytes);
        this.queue.splice(0, batch.length);
        try {
          await this.sendOne(batch);
        } finally {
          // Counted even if a callback threw in sendOne: a flush() must never wait for a batch no loop will finish.
          this.finished += batch.length;
          this.flushWaiters = this.flushWaiters.filter((w) => (this.finished >= w.upTo ? (w.resolve(), false) : true));
        }
      }
    } finally {
      // Cleared in the same turn as the loop saw the queue empty: a message queued after this starts a new loop.
      this.sending = false;
    }
  }

  /** Sends everything queued so far; resolves once each of those messages is sent, failed or dropped. */
  flush(): Promise<void> {
    const upTo = this.queued;
    this.sendNow();
    if (this.finished >= upTo) return Promise.resolve();
    return new Promise((resolve) => this.flushWaiters.push({ upTo, resolve }));
  }

  /** One sendBatch: its messages are all sent, or all rejected (but those that expired first, which are dropped). */
  private async sendOne(batch: Pending[]): Promise<void> {
    const started = Date.now();
    let live = batch;
    try {
      await this.sendWithRetry(() => (live = this.dropExpired(live)), started);
      if (Date.now() - started > 2000) this.options.onSlow?.(live.length, Date.now() - started, 'sent');
      live.forEach((p) => p.resolve());
    } catch (e) {
      this.options.onSlow?.(live.length, Date.now() - started, `failed: ${(e as Error).message}`);
      for (const [topic, messages] of byTopic(live)) this.options.onError?.(topic, messages.length);
      live.forEach((p) => p.reject(e));
    }
  }

  private dropExpired(batch: Pending[]): Pending[] {
    const now = Date.now();
    const isExpired = (p: Pending) => p.expiresAt !== undefined && p.expiresAt <= now;
    const [live, expired] = [batch.filter((p) => !isExpired(p)), batch.filter(isExpired)];
    expired.forEach((p) => p.reject(new MessageExpiredError(p.topic)));
    return live;
  }

  /**
   * Sends the batch (without the messages that expired while it waited), again after each failure until it
   * works or it is time to give up.
   *
   * A failed attempt may still have been written: a request that timed out at the client, then was served
   * when the broker woke. So a retry resends exactly what the first attempt sent, expired messages included,
   * under the same producer id and sequence numbers, and the idempotent broker recognises a duplicate. A
   * retry with the expired messages left out would either be taken for the duplicate of what the broker
   * wrote, with the difference acknowledged but never stored (measured: an acknowledged message missing after
   * a 20 s broker stall), or would tell senders "expired, never sent" of messages that are on the topic. Only
   * a refused sequence (kafkajs#598) or a batch given up on moves to a new producer id.
   */
  private async sendWithRetry(first: () => Pending[], started: number): Promise<void> {
    const batch = first();
    for (let attempt = 1; ; attempt++) {
      try {
        if (this.mustRenew) await this.renew();
        if (batch.length === 0) return;
        await this.producer.sendBatch({ topicMessages: [...byTopic(batch)].map(([topic, messages]) => ({ topic, messages })) });
        return;
      } catch (e) {
        if (sequenceRefused(e)) this.mustRenew = true;
        // A message the broker finds too large stays too large: no retry, and nothing behind it waits. It
        // was not written, so the sequence numbers stay in step.
        if (tooLarge(e)) throw e;
        if (!this.options.retry || Date.now() - started > this.options.retry.giveUpMs) {
          // Given up with an attempt's outcome unknown: the next batch must not take its sequence numbers.
          this.mustRenew = true;
          throw e;
        }
        await this.untilBrokerUp(started, attempt);
      }
    }
  }

  /** Set while this producer id's sequence numbers may be out of step with the broker's. */
  private mustRenew = false;

  private async renew(): Promise<void> {
    const renewProducer = this.options.retry?.renewProducer;
    if (renewProducer) this.producer = await renewProducer();
    this.mustRenew = false;
  }

  /** Waits a moment, then until a broker accepts connections (checked every 250 ms) or it is time to give up. */
  private async untilBrokerUp(started: number, attempt: number): Promise<void> {
    await sleep(Math.min(500, 50 * attempt));
    const retry = this.options.retry!;
    while (Date.now() - started <= retry.giveUpMs && !(await retry.brokerUp())) await sleep(250);
  }
}

function byTopic(batch: Pending[]): Map<string, Message[]> {
  const topics = new Map<string, Message[]>();
  for (const p of batch) {
    const list = topics.get(p.topic) ?? [];
    list.push(p.message);
    topics.set(p.topic, list);
  }
  return topics;
}

/** What a message weighs in a record batch: its bytes and a record's framing. */
export function messageBytes(m: Message): number {
  const size = (v: unknown): number => (v == null ? 0 : Buffer.isBuffer(v) ? v.length : Buffer.byteLength(String(v)));
  let headers = 0;
  for (const [name, value] of Object.entries(m.headers ?? {}))
    headers += Buffer.byteLength(name) + (Array.isArray(value) ? value.reduce((n: number, v) => n + size(v), 0) : size(value));
  return size(m.value) + size(m.key) + headers + 64;
}

/** The queue in order, cut so that each piece weighs at most maxBytes; a message heavier than that goes alone. */
export function chunksOf<T extends { message: Message }>(queue: T[], maxBytes: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const p of queue) {
    const b = messageBytes(p.message);
    if (current.length > 0 && bytes + b > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(p);
    bytes += b;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Whether a kafkajs error, however wrapped, is of one of `types` (protocol error names). */
function errorOfType(e: unknown, types: string[]): boolean {
  for (let c = e as { type?: string; cause?: unknown } | undefined, i = 0; c && i < 4; c = c.cause as typeof c, i++) if (c.type && types.includes(c.type)) return true;
  return false;
}

/** MESSAGE_TOO_LARGE or RECORD_LIST_TOO_LARGE. */
const tooLarge = (e: unknown) => errorOfType(e, ['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);

/** The broker no longer accepts this producer id's sequence numbers: only a new producer id sends again. */
export const sequenceRefused = (e: unknown) => errorOfType(e, ['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH', 'INVALID_PRODUCER_ID_MAPPING']);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
