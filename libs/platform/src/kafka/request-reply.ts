import { randomUUID } from 'crypto';
import { IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { SupervisedConsumer } from './supervised-consumer';
import { KafkaHeaders, SignatureCheck, SignedEnvelope, SigningKey, signMessage, verifyMessage } from '@ndxp/contracts';
import { BatchingProducer } from './batching-producer';
import { createTopics, TopicSpec } from './topics-admin';
import { classifyFailure, deadLettersOf, RecordSource, withRetries } from './dead-letter';

export class RequestTimeoutError extends Error {
  constructor(
    readonly operation: string,
    readonly timeoutMs: number,
  ) {
    super(`no reply to ${operation} within ${timeoutMs} ms`);
    this.name = 'RequestTimeoutError';
  }
}

export function headerValue(headers: IHeaders | undefined, name: string): string | undefined {
  const v = headers?.[name];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v[0]?.toString() : v.toString();
}

interface PendingReply {
  resolve: (value: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export interface RequesterOptions {
  /** Called with replies nobody waits for any more (they came after the deadline). */
  onUnmatched?: (correlationId: string, body: unknown) => void;
  replyPartitions?: number;
  /** Signs every request (KafkaHeaders.signature): the consumer on the other side checks it with the same key. */
  signingKey?: SigningKey;
}

/**
 * The requesting side of request/reply over Kafka. Each process has its own
 * reply topic, so replies come back to the instance that asked, and a map of
 * pending correlation ids matches them up.
 */
export class KafkaRequester {
  private readonly pending = new Map<string, PendingReply>();
  private consumer: SupervisedConsumer | undefined;

  private readonly groupId: string;

  /**
   * `groupPrefix` gets a suffix unique to this process start: replies matter
   * only to the requests of this run, and a fresh group need not wait out the
   * session of a crashed predecessor (10 s) before it is given the partitions.
   */
  constructor(
    private readonly kafka: Kafka,
    private readonly producer: BatchingProducer,
    readonly replyTopic: string,
    groupPrefix: string,
    private readonly options: RequesterOptions = {},
  ) {
    this.groupId = `${groupPrefix}-${randomUUID().slice(0, 8)}`;
  }

  async start(requestTopics: TopicSpec[]): Promise<void> {
    await createTopics(this.kafka, [...requestTopics, { topic: this.replyTopic, numPartitions: this.options.replyPartitions ?? 1 }]);
    this.consumer = new SupervisedConsumer(this.kafka, {
      groupId: this.groupId,
      topic: this.replyTopic,
      fromBeginning: false,
      run: {
        partitionsConsumedConcurrently: this.options.replyPartitions ?? 1,
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            const bad = this.settle(m);
            if (bad) await deadLettersOf(this.kafka).send({ group: this.groupId, topic: batch.topic, partition: batch.partition, offset: m.offset }, m, 'malformed', bad);
          }
        },
      },
    });
    await this.consumer.start();
  }

  /** Hands a reply to whoever waits for it; a record that is no reply says why (it is dead-lettered), never throws. */
  private settle(m: KafkaMessage): string | undefined {
    const id = headerValue(m.headers, KafkaHeaders.correlationId);
    if (!id) return `no ${KafkaHeaders.correlationId} header: not a reply`;
    let body: unknown;
    try {
      body = m.value ? JSON.parse(m.value.toString()) : null;
    } catch (e) {
      return `reply ${id.slice(0, 100)} is not JSON: ${(e as Error).message.slice(0, 200)}`;
    }
    const p = this.pending.get(id);
    if (!p) {
      this.options.onUnmatched?.(id, body);
      return undefined;
    }
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.resolve(body);
    return undefined;
  }

  /** `opts.signingKey` signs this request instead of the requester's own key (a gateway signs as the LGSP it forwards for). */
  async request<TReq, TRes>(
    topic: string,
    operation: string,
    body: TReq,
    timeoutMs: number,
    opts: { correlationId?: string; key?: string; signingKey?: SigningKey } = {},
  ): Promise<TRes> {
    const correlationId = opts.correlationId ?? randomUUID();
    const reply = new Promise<TRes>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          this.pending.delete(correlationId);
          reject(new RequestTimeoutError(operation, timeoutMs));
        },
        Math.max(0, timeoutMs),
      );
      this.pending.set(correlationId, { resolve: resolve as (v: unknown) => void, reject, timer });
    });
    // The deadline can pass while the produce below is still retrying (broker down): the rejection must
    // not be unhandled meanwhile, or Node ends the process. The caller still gets it through `return reply`.
    reply.catch(() => undefined);
    // Not awaited: the deadline covers handing the request to Kafka too. While the broker is away a produce
    // can wait in line for many seconds; the caller still hears of its timeout at the deadline.
    const value = JSON.stringify(body);
    const deadline = String(Date.now() + timeoutMs);
    const headers: IHeaders = {
      [KafkaHeaders.correlationId]: correlationId,
      [KafkaHeaders.replyTo]: this.replyTopic,
      [KafkaHeaders.operation]: operation,
      [KafkaHeaders.deadline]: deadline,
    };
    const signing = opts.signingKey ?? this.options.signingKey;
    if (signing) headers[KafkaHeaders.signature] = signMessage(signing, { topic, operation, correlationId, replyTo: this.replyTopic, deadline }, value);
    // Past the deadline nobody waits for the request: if the broker is away until then, it is never sent.
    this.producer.send(topic, { key: opts.key ?? correlationId, value, headers }, { expiresAt: Number(deadline) }).catch((e: unknown) => {
      const p = this.pending.get(correlationId);
      if (!p) return; // already timed out
      clearTimeout(p.timer);
      this.pending.delete(correlationId);
      p.reject(e as Error);
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
    await this.consumer?.stop();
  }
}

/** A request as the answering side receives it. */
export interface InboundRequest {
  correlationId: string;
  replyTo: string;
  operation: string;
  deadline: number;
  body: unknown;
  /** Set when the consumer checks signatures (ConsumerOptions.verifyKey): whether the producer holds the key. */
  signature?: SignatureCheck;
}

/**
 * The key a request's signature is checked with: one for every request, or one chosen by the request's body (the
 * hub checks each with the key of the LGSP it names); undefined when the body names none the consumer has.
 */
export type VerifyKey = SigningKey | ((body: unknown) => SigningKey | undefined);

/** What a consumer checks a request's signature with: its key, and the topic the request came on. */
export interface SignatureVerification {
  key: VerifyKey;
  topic: string;
}

/** The verdict on a request's signature; with no key to check it by, a signature present is `invalid` (it cannot be valid). */
function signatureOf(m: KafkaMessage, body: unknown, verify: SignatureVerification, env: Omit<SignedEnvelope, 'topic'>): SignatureCheck {
  const key = typeof verify.key === 'function' ? verify.key(body) : verify.key;
  const signature = headerValue(m.headers, KafkaHeaders.signature);
  if (!key) return signature === undefined || signature === '' ? 'missing' : 'invalid';
  return verifyMessage(key, { topic: verify.topic, ...env }, m.value, signature);
}

export function parseInbound(m: KafkaMessage, verify?: SignatureVerification): InboundRequest | undefined {
  const correlationId = headerValue(m.headers, KafkaHeaders.correlationId);
  const replyTo = headerValue(m.headers, KafkaHeaders.replyTo);
  if (!correlationId || !replyTo) return undefined; // not a request: nobody to answer
  let body: unknown;
  try {
    body = m.value ? JSON.parse(m.value.toString()) : null;
  } catch {
    body = undefined;
  }
  const operation = headerValue(m.headers, KafkaHeaders.operation);
  const deadline = headerValue(m.headers, KafkaHeaders.deadline);
  const inbound: InboundRequest = { correlationId, replyTo, operation: operation ?? 'unknown', deadline: Number(deadline ?? Date.now() + 5000), body };
  if (verify) inbound.signature = signatureOf(m, body, verify, { operation, correlationId, replyTo, deadline });
  return inbound;
}

export function sendReply(producer: BatchingProducer, req: InboundRequest, body: unknown): Promise<void> {
  return producer.send(req.replyTo, {
    key: req.correlationId,
    value: JSON.stringify(body),
    headers: { [KafkaHeaders.correlationId]: req.correlationId },
  });
}

export interface ConsumerOptions {
  /** Checks each request's signature with this key (or the key its body calls for): InboundRequest.signature says what it found (the handler decides). */
  verifyKey?: VerifyKey;
}

/**
 * Consumes a request topic in batches and hands each batch of parsed requests
 * to `onBatch`, which answers them (now or later) with sendReply.
 */
export class RequestConsumer {
  private consumer: SupervisedConsumer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: TopicSpec,
    private readonly groupId: string,
    private readonly onBatch: (requests: InboundRequest[]) => Promise<void>,
    private readonly options: ConsumerOptions = {},
  ) {}

  async start(): Promise<void> {
    await createTopics(this.kafka, [this.topic]);
    this.consumer = new SupervisedConsumer(this.kafka, {
      groupId: this.groupId,
      topic: this.topic.topic,
      fromBeginning: false,
      run: {
        partitionsConsumedConcurrently: this.topic.numPartitions ?? 1,
        eachBatch: async ({ batch }) => {
          const verify = this.options.verifyKey ? { key: this.options.verifyKey, topic: batch.topic } : undefined;
          const source = (m: KafkaMessage): RecordSource => ({ group: this.groupId, topic: batch.topic, partition: batch.partition, offset: m.offset });
          const read: Array<{ m: KafkaMessage; req: InboundRequest }> = [];
          for (const m of batch.messages) {
            const req = parseInbound(m, verify);
            if (req) read.push({ m, req });
            else await this.deadLetters.send(source(m), m, 'malformed', `no ${KafkaHeaders.correlationId} or ${KafkaHeaders.replyTo} header: not a request`);
          }
          if (read.length) await this.handle(read, source);
        },
      },
    });
    await this.consumer.start();
  }

  private get deadLetters() {
    return deadLettersOf(this.kafka);
  }

  /**
   * The batch to `onBatch`; when it throws for anything but an outage (which the consumer retries), each
   * request again on its own, with bounded retries, and one that still fails is dead-lettered: the
   * partition moves on.
   */
  private async handle(read: Array<{ m: KafkaMessage; req: InboundRequest }>, source: (m: KafkaMessage) => RecordSource): Promise<void> {
    try {
      return await this.onBatch(read.map((r) => r.req));
    } catch (e) {
      if (classifyFailure(e) === 'transient') throw e;
    }
    for (const { m, req } of read) {
      const failure = await withRetries(
        () => this.onBatch([req]),
        (e) => classifyFailure(e),
      );
      if (failure) await this.deadLetters.send(source(m), m, 'failed', `${req.operation}: ${failure.error.message}`);
    }
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
  }
}

export type RequestHandler = (operation: string, body: unknown, request: InboundRequest) => Promise<unknown>;

/** The simple answering side: one handler call per request, the reply sent when it resolves. */
export class KafkaResponder extends RequestConsumer {
  constructor(kafka: Kafka, producer: BatchingProducer, topic: TopicSpec, groupId: string, handler: RequestHandler, options: ConsumerOptions = {}) {
    super(
      kafka,
      topic,
      groupId,
      async (requests) => {
        await Promise.all(
          requests.map(async (req) => {
            let result: unknown;
            try {
              result = await handler(req.operation, req.body, req);
            } catch (e) {
              result = { fault: { type: 'Server.ServerProxy.InternalError', status: 500, message: (e as Error).message } };
            }
            await sendReply(producer, req, result);
          }),
        );
      },
      options,
    );
  }
}
