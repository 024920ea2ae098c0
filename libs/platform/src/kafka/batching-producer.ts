import { Message, Producer } from 'kafkajs';

interface Pending {
  topic: string;
  message: Message;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * Collects messages for a short linger window and sends them in one
 * `sendBatch` call. At thousands of messages a second one `send` per message
 * costs a broker round trip each; a batch costs one for all of them.
 */
export class BatchingProducer {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly producer: Producer,
    private readonly options: { lingerMs: number; maxBatch: number } = { lingerMs: 2, maxBatch: 1000 },
    /** Told of every message whose produce failed (for kafka_produce_errors_total), and once of each topic (count 0). */
    private readonly onError?: (topic: string, count: number) => void,
  ) {}

  private readonly topics = new Set<string>();

  send(topic: string, message: Message): Promise<void> {
    if (!this.topics.has(topic)) {
      this.topics.add(topic);
      this.onError?.(topic, 0); // the error series exists from the first message: a dashboard shows 0, not "no data"
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
    if (!this.timer) this.timer = setTimeout(() => {
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
      try {
        await this.producer.sendBatch({
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        });
        batch.forEach((p) => p.resolve());
      } catch (e) {
        for (const [topic, messages] of byTopic) this.onError?.(topic, messages.length);
        batch.forEach((p) => p.reject(e));
      }
    });
    return this.flushing;
  }
}
