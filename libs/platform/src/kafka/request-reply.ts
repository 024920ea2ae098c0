import { randomUUID } from 'crypto';
import { Consumer, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { KafkaHeaders } from '@ndxp/contracts';
import { BatchingProducer } from './batching-producer';
import { ensureTopics } from './topics-admin';

export class RequestTimeoutError extends Error {
  constructor(
    readonly operation: string,
    readonly timeoutMs: number,
  ) {
    super(`no reply to ${operation} within ${timeoutMs} ms`);
    this.name = 'RequestTimeoutError';
  }
}

function header(headers: IHeaders | undefined, name: string): string | undefined {
  const v = headers?.[name];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v[0]?.toString() : v.toString();
}

interface PendingReply {
  resolve: (value: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * The requesting side of request/reply over Kafka. Each process has its own
 * reply topic, so replies come back to the instance that asked, and a map of
 * pending correlation ids matches them up.
 */
export class KafkaRequester {
  private readonly pending = new Map<string, PendingReply>();
  private consumer: Consumer | undefined;
  readonly replyTopic: string;

  constructor(
    private readonly kafka: Kafka,
    private readonly producer: BatchingProducer,
    private readonly requestTopic: string,
    replyTopic: string,
    private readonly groupId: string,
  ) {
    this.replyTopic = replyTopic;
  }

  async start(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [{ topic: this.requestTopic }, { topic: this.replyTopic }]);
    } finally {
      await admin.disconnect();
    }
    this.consumer = this.kafka.consumer({ groupId: this.groupId, sessionTimeout: 10000, heartbeatInterval: 1000 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.replyTopic, fromBeginning: false });
    await this.consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) this.settle(m);
      },
    });
  }

  private settle(m: KafkaMessage): void {
    const id = header(m.headers, KafkaHeaders.correlationId);
    if (!id) return;
    const p = this.pending.get(id);
    if (!p) return; // a reply after our deadline: nobody waits for it any more
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.resolve(m.value ? JSON.parse(m.value.toString()) : null);
  }

  async request<TReq, TRes>(operation: string, body: TReq, timeoutMs: number, key?: string): Promise<TRes> {
    const correlationId = randomUUID();
    const reply = new Promise<TRes>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(correlationId);
        reject(new RequestTimeoutError(operation, timeoutMs));
      }, timeoutMs);
      this.pending.set(correlationId, { resolve: resolve as (v: unknown) => void, reject, timer });
    });
    await this.producer
      .send(this.requestTopic, {
        key: key ?? correlationId,
        value: JSON.stringify(body),
        headers: {
          [KafkaHeaders.correlationId]: correlationId,
          [KafkaHeaders.replyTo]: this.replyTopic,
          [KafkaHeaders.operation]: operation,
          [KafkaHeaders.deadline]: String(Date.now() + timeoutMs),
        },
      })
      .catch((e) => {
        const p = this.pending.get(correlationId);
        if (p) {
          clearTimeout(p.timer);
          this.pending.delete(correlationId);
        }
        throw e;
      });
    return reply;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  async stop(): Promise<void> {
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error('requester stopped'));
    }
    this.pending.clear();
    await this.consumer?.disconnect();
  }
}

export type RequestHandler = (operation: string, body: unknown) => Promise<unknown>;

/**
 * The answering side: consumes a request topic in batches, runs the handler for
 * every message of a batch concurrently, and sends the replies as one batch.
 */
export class KafkaResponder {
  private consumer: Consumer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly producer: BatchingProducer,
    private readonly requestTopic: string,
    private readonly groupId: string,
    private readonly handler: RequestHandler,
  ) {}

  async start(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [{ topic: this.requestTopic }]);
    } finally {
      await admin.disconnect();
    }
    this.consumer = this.kafka.consumer({ groupId: this.groupId, sessionTimeout: 10000, heartbeatInterval: 1000 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.requestTopic, fromBeginning: false });
    await this.consumer.run({
      eachBatch: async ({ batch }) => {
        await Promise.all(batch.messages.map((m) => this.answer(m)));
      },
    });
  }

  private async answer(m: KafkaMessage): Promise<void> {
    const correlationId = header(m.headers, KafkaHeaders.correlationId);
    const replyTo = header(m.headers, KafkaHeaders.replyTo);
    const operation = header(m.headers, KafkaHeaders.operation) ?? 'unknown';
    if (!correlationId || !replyTo) return; // not a request: nobody to answer
    let result: unknown;
    try {
      result = await this.handler(operation, m.value ? JSON.parse(m.value.toString()) : null);
    } catch (e) {
      result = { error: { type: 'Server.ServerProxy.InternalError', message: (e as Error).message } };
    }
    await this.producer.send(replyTo, {
      key: correlationId,
      value: JSON.stringify(result),
      headers: { [KafkaHeaders.correlationId]: correlationId },
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
