import { Message, Producer } from 'kafkajs';

interface Pending {
  topic: string;
  message: Message;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** How a failed batch is tried again: until giveUpMs, as soon as a broker accepts connections. */
export interface BatchRetry {
  giveUpMs: number;
  brokerUp: () => Promise<boolean>;
}

export interface BatchingOptions {
  lingerMs: number;
  maxBatch: number;
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
 * A failed batch is retried here, not in kafkajs: kafkajs' own retries grew to
 * 12-24 s per batch during a broker outage and a batch tried just as the
 * broker came back still took 10 s (measured), with every later message
 * waiting behind it. Here a retry goes out as soon as a broker accepts
 * connections again.
 */
export class BatchingProducer {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  private readonly options: BatchingOptions;

  constructor(
    private readonly producer: Producer,
    options: Partial<BatchingOptions> = {},
  ) {
    this.options = { lingerMs: 2, maxBatch: 1000, ...options };
  }

  private readonly topics = new Set<string>();

  send(topic: string, message: Message): Promise<void> {
    if (!this.topics.has(topic)) {
      this.topics.add(topic);
      this.options.onError?.(topic, 0); // the error series exists from the first message: a dashboard shows 0, not "no data"
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ topic, message, resolve, reject });
      if (this.queue.length >= this.options.maxBatch) this.flushSoon(0);
      else this.flushSoon(this.options.lingerMs);
    });
  }

  private flushSoon(delay: number): void {
    if (delay === 0) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      void this.flush();
      return;
    }
    if (!this.timer)
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, delay);
  }

  /** Sends everything queued so far. Batches go out one after another, in order. */
  flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return this.flushing;
    this.flushing = this.flushing.then(async () => {
      const byTopic = new Map<string, Message[]>();
      for (const p of batch) {
        const list = byTopic.get(p.topic) ?? [];
        list.push(p.message);
        byTopic.set(p.topic, list);
      }
      const started = Date.now();
      try {
        await this.sendWithRetry(
          [...byTopic].map(([topic, messages]) => ({ topic, messages })),
          started,
        );
        if (Date.now() - started > 2000) this.options.onSlow?.(batch.length, Date.now() - started, 'sent');
        batch.forEach((p) => p.resolve());
      } catch (e) {
        this.options.onSlow?.(batch.length, Date.now() - started, `failed: ${(e as Error).message}`);
        for (const [topic, messages] of byTopic) this.options.onError?.(topic, messages.length);
        batch.forEach((p) => p.reject(e));
      }
    });
    return this.flushing;
  }

  private async sendWithRetry(topicMessages: Array<{ topic: string; messages: Message[] }>, started: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.producer.sendBatch({ topicMessages });
        return;
      } catch (e) {
        if (!this.options.retry || Date.now() - started > this.options.retry.giveUpMs) throw e;
        await this.untilBrokerUp(started, attempt);
      }
    }
  }

  /** Waits a moment, then until a broker accepts connections (checked every 250 ms) or it is time to give up. */
  private async untilBrokerUp(started: number, attempt: number): Promise<void> {
    await sleep(Math.min(500, 50 * attempt));
    const retry = this.options.retry!;
    while (Date.now() - started <= retry.giveUpMs && !(await retry.brokerUp())) await sleep(250);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
