import { invalid, ok, Parsed } from './identifiers/result';
import { checkTyped, FieldKind, readRecord } from './records';

/**
 * Transaction events: every exchange is a stream of these on
 * `ndxp.transactions`, keyed by transaction id. The topic is the source of
 * truth; the ledger and the counters are projections of it. Fields follow
 * X-Road's operational monitoring records.
 */
export type TransactionOutcome = 'success' | 'rejected' | 'failed' | 'timeout';

interface Base {
  /** Deterministic (`<transactionId>:<type>`), so a projection can tell a replayed event. */
  eventId: string;
  transactionId: string;
  at: number;
  /** Stamped when written (serializeTransactionEvent); absent on events written before versions: 1. */
  schemaVersion?: number;
}

/** What the first event of a transaction records about the request, accepted or not. */
export interface RequestFacts {
  xRoadId: string;
  lgsp: string;
  client: string;
  service: string;
  provider: string;
  userId?: string;
  requestSize: number;
  requestInAt: number;
}

export interface TransactionRequested extends Base, RequestFacts {
  type: 'TransactionRequested';
  issue?: string;
}

/** `client` is what the caller sent, even when malformed (truncated to 200 characters). */
export interface TransactionRejected extends Base, RequestFacts {
  type: 'TransactionRejected';
  stage: 'lgsp' | 'hub';
  statusCode: number;
  faultCode: string;
  faultString: string;
}

export interface TransactionRouted extends Base {
  type: 'TransactionRouted';
  provider: string;
}

export interface TransactionResponded extends Base {
  type: 'TransactionResponded';
  statusCode: number;
  responseSize: number;
  providerInAt: number;
  providerOutAt: number;
  /** Arrived after the deadline: recorded, never delivered. */
  late: boolean;
}

export interface TransactionCompleted extends Base {
  type: 'TransactionCompleted';
  statusCode: number;
  responseSize: number;
  durationMs: number;
}

export interface TransactionFailed extends Base {
  type: 'TransactionFailed';
  statusCode: number;
  faultCode: string;
  faultString: string;
  durationMs: number;
}

export interface TransactionTimedOut extends Base {
  type: 'TransactionTimedOut';
  statusCode: number;
  faultCode: string;
  faultString: string;
  durationMs: number;
}

/**
 * What the gateway answered its client, recorded durably before the answer is
 * sent. The ledger's outcome, status and fault are this event's (or an LGSP
 * refusal's): what the client saw, even when the hub recorded something else
 * (its answer came after the gateway's deadline) or nothing (it never got the
 * request). Carries the request's facts so the row exists either way.
 */
export interface TransactionAnswered extends Base, RequestFacts {
  type: 'TransactionAnswered';
  statusCode: number;
  faultCode?: string;
  faultString?: string;
  responseSize?: number;
  durationMs: number;
}

export type TransactionEvent =
  TransactionRequested | TransactionRejected | TransactionRouted | TransactionResponded | TransactionCompleted | TransactionFailed | TransactionTimedOut | TransactionAnswered;

/** The outcome a client's answer stands for: no fault is a success; a caller's (Client.*) fault a refusal. */
export function outcomeOfAnswer(faultCode: string | undefined): TransactionOutcome {
  if (!faultCode) return 'success';
  if (faultCode === 'Server.ServerProxy.Timeout') return 'timeout';
  return faultCode.startsWith('Client.') ? 'rejected' : 'failed';
}

export function eventIdFor(transactionId: string, type: TransactionEvent['type'], late = false): string {
  return `${transactionId}:${type}${late ? ':late' : ''}`;
}

/** The schema version of transaction events this code writes and reads (`schemaVersion`; absent = 1). */
export const TRANSACTION_SCHEMA_VERSION = 1;

const REQUEST_FACTS: Record<string, FieldKind> = {
  xRoadId: 'string',
  lgsp: 'string',
  client: 'string',
  service: 'string',
  provider: 'string',
  userId: 'string?',
  requestSize: 'number',
  requestInAt: 'number',
};
const FAULT: Record<string, FieldKind> = { statusCode: 'number', faultCode: 'string', faultString: 'string', durationMs: 'number' };

/** Each event type's required fields, as its interface declares them (a new type fails to compile until listed). */
const TRANSACTION_FIELDS: { [T in TransactionEvent['type']]: Record<string, FieldKind> } = {
  TransactionRequested: { ...REQUEST_FACTS, issue: 'string?' },
  TransactionRejected: { ...REQUEST_FACTS, stage: ['lgsp', 'hub'], statusCode: 'number', faultCode: 'string', faultString: 'string' },
  TransactionRouted: { provider: 'string' },
  TransactionResponded: { statusCode: 'number', responseSize: 'number', providerInAt: 'number', providerOutAt: 'number', late: 'boolean' },
  TransactionCompleted: { statusCode: 'number', responseSize: 'number', durationMs: 'number' },
  TransactionFailed: FAULT,
  TransactionTimedOut: FAULT,
  TransactionAnswered: { ...REQUEST_FACTS, statusCode: 'number', faultCode: 'string?', faultString: 'string?', responseSize: 'number?', durationMs: 'number' },
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Reads one record of `ndxp.transactions`. Pure and never throws: the one
 * parser of the topic, so a record it cannot read is skipped with the reason
 * rather than stopping the ledger. Version 1 is the only version so far, so
 * there is nothing to upgrade yet; a newer one is refused.
 */
export function parseTransactionEvent(text: string): Parsed<TransactionEvent> {
  const r = readRecord(text, TRANSACTION_SCHEMA_VERSION);
  if (!r.ok) return r;
  const e = r.value.value;
  if (typeof e.transactionId !== 'string' || !UUID.test(e.transactionId)) return invalid('transactionId is not a UUID');
  if (typeof e.eventId !== 'string' || typeof e.at !== 'number') return invalid('eventId or at is missing or mistyped');
  const bad = checkTyped(e, TRANSACTION_FIELDS);
  return bad ? invalid(bad) : ok(e as unknown as TransactionEvent);
}

/** The one way a transaction event goes onto the topic: stamped with the schema version it was written in. */
export function serializeTransactionEvent(e: TransactionEvent): string {
  return JSON.stringify({ ...e, schemaVersion: TRANSACTION_SCHEMA_VERSION });
}
