import { Logger } from '@nestjs/common';
import { IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { DeadLetterHeaders, DeadLetterReason, KAFKA_MAX_MESSAGE_BYTES, KAFKA_RECORD_OVERHEAD_BYTES, Topics } from '@ndxp/contracts';
import { BatchingProducer } from './batching-producer';

export { DeadLetterHeaders };
export type { DeadLetterReason };

/** Where a record came from: enough to find it again on its topic. */
export interface RecordSource {
  group: string;
  topic: string;
  partition: number;
  offset: string;
}

/**
 * What a failure says about a record: `record` (its own data, no retry helps), `transient` (the database or
 * broker is away: not the record's fault, so it keeps its place and the batch is retried, never dead-lettered
 * for an outage), `unknown` (a handler's error: retried a few times, then dead-lettered).
 */
export type FailureKind = 'record' | 'transient' | 'unknown';

export interface RetryPolicy {
  /** Attempts in all before a record whose failure is `unknown` is dead-lettered. */
  attempts: number;
  /** Delay after the first failure; doubled after each further one. */
  baseDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 3, baseDelayMs: 50 };

export type NextStep = { action: 'retry'; delayMs: number } | { action: 'dead-letter' } | { action: 'rethrow' };

/** The decision after a record's handler failed for the `failedAttempts`-th time (1 after the first). Pure. */
export function afterFailure(kind: FailureKind, failedAttempts: number, policy: RetryPolicy = DEFAULT_RETRY_POLICY): NextStep {
  if (kind === 'transient') return { action: 'rethrow' };
  if (kind === 'record' || failedAttempts >= policy.attempts) return { action: 'dead-letter' };
  return { action: 'retry', delayMs: policy.baseDelayMs * 2 ** (failedAttempts - 1) };
}

const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const TRANSIENT_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is not established/i;

/**
 * True when the error says the infrastructure is away, not that the record is bad: PostgreSQL's SQLSTATE
 * classes 08 (connection), 40 (rollback: deadlock, serialisation), 53 (resources), 57 (operator intervention,
 * a shutdown), 58 (system), lock timeouts (55P03); a socket error; any kafkajs error (the broker).
 */
export function isTransientError(e: unknown): boolean {
  const err = e as { code?: unknown; name?: unknown; message?: unknown } | undefined;
  const code = err?.code;
  if (typeof code === 'string' && (/^(08|40|53|57|58)[0-9A-Z]{3}$/.test(code) || code === '55P03' || TRANSIENT_NODE_CODES.has(code))) return true;
  if (typeof err?.name === 'string' && err.name.startsWith('KafkaJS')) return true;
  return typeof err?.message === 'string' && TRANSIENT_MESSAGES.test(err.message);
}

/** The usual classification: transient as above, `record` when `isRecordFault` says so, `unknown` otherwise. */
export function classifyFailure(e: unknown, isRecordFault: (e: unknown) => boolean = () => false): FailureKind {
  if (isTransientError(e)) return 'transient';
  return isRecordFault(e) ? 'record' : 'unknown';
}

/**
 * Runs a record's handler under the policy: the first success returns `undefined`; a transient failure is
 * thrown (the consumer retries its batch); a record fault, or an unknown one that outlived the retries, is
 * returned for the caller to dead-letter.
 */
export async function withRetries(
  handle: () => Promise<void>,
  classify: (e: unknown) => FailureKind,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): Promise<{ kind: FailureKind; error: Error } | undefined> {
  for (let failed = 1; ; failed++) {
    try {
      await handle();
      return undefined;
    } catch (e) {
      const kind = classify(e);
      const next = afterFailure(kind, failed, policy);
      if (next.action === 'rethrow') throw e;
      if (next.action === 'dead-letter') return { kind, error: e instanceof Error ? e : new Error(String(e)) };
      await new Promise((r) => setTimeout(r, next.delayMs));
    }
  }
}

/** Header values of a dead letter; `detail` is cut to 1000 characters (a reason, not a dump). */
export function deadLetterHeaders(source: RecordSource, reason: DeadLetterReason, detail: string, at = new Date()): Record<string, string> {
  return {
    [DeadLetterHeaders.topic]: source.topic,
    [DeadLetterHeaders.partition]: String(source.partition),
    [DeadLetterHeaders.offset]: source.offset,
    [DeadLetterHeaders.group]: source.group,
    [DeadLetterHeaders.reason]: reason,
    [DeadLetterHeaders.detail]: detail.length > 1000 ? `${detail.slice(0, 1000)}…` : detail,
    [DeadLetterHeaders.at]: at.toISOString(),
  };
}

/** The largest value a dead letter carries: the rest of the record's room is for the headers. */
const MAX_DEAD_VALUE_BYTES = KAFKA_MAX_MESSAGE_BYTES - KAFKA_RECORD_OVERHEAD_BYTES;

/**
 * Sends records a consumer cannot process to `ndxp.dead-letter` (its value, key and headers as consumed, and
 * the dead-letter headers) and counts them. The send is awaited: a consumer moves past the record only once
 * the dead letter is on the broker.
 */
export class DeadLetters {
  private readonly logger = new Logger('dead-letter');

  constructor(
    private readonly producer: BatchingProducer,
    private readonly count: (labels: { group: string; topic: string; reason: DeadLetterReason }) => void,
  ) {}

  /** Records this process has dead-lettered: a consumer that starts again reads them again, and they go once. */
  private readonly sent = new Set<string>();

  async send(source: RecordSource, message: Pick<KafkaMessage, 'key' | 'value' | 'headers'>, reason: DeadLetterReason, detail: string): Promise<void> {
    const id = `${source.group}|${source.topic}|${source.partition}|${source.offset}`;
    if (this.sent.has(id)) return;
    if (this.sent.size >= 100_000) this.sent.clear(); // bounded: at worst a very old record goes twice
    this.sent.add(id);
    const headers: IHeaders = { ...(message.headers ?? {}), ...deadLetterHeaders(source, reason, detail) };
    let value = message.value;
    if (value && value.length > MAX_DEAD_VALUE_BYTES) {
      headers[DeadLetterHeaders.truncated] = String(value.length);
      value = value.subarray(0, MAX_DEAD_VALUE_BYTES);
    }
    await this.producer.send(Topics.deadLetter, { key: message.key, value, headers });
    this.count({ group: source.group, topic: source.topic, reason });
    this.logger.error(`${source.topic} partition ${source.partition} offset ${source.offset} (group ${source.group}) dead-lettered (${reason}): ${detail.slice(0, 300)}`);
  }
}

const sinks = new WeakMap<Kafka, DeadLetters>();

/** Makes `sink` the dead-letter topic of every consumer built on `kafka` (KafkaService does it for its client). */
export function setDeadLetters(kafka: Kafka, sink: DeadLetters): void {
  sinks.set(kafka, sink);
}

/**
 * The dead-letter sink of a client; without one (a test's own client), a record is only logged, and skipped:
 * no consumer may stop on it either way.
 */
export function deadLettersOf(kafka: Kafka): Pick<DeadLetters, 'send'> {
  return (
    sinks.get(kafka) ?? {
      send: async (source, _message, reason, detail) =>
        new Logger('dead-letter').error(`${source.topic} partition ${source.partition} offset ${source.offset} skipped (${reason}; no dead-letter topic): ${detail}`),
    }
  );
}
