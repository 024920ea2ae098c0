import { invalid, ok, Parsed } from './identifiers/result';
import { checkTyped, FieldKind, isObject, readRecord } from './records';

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
  /** Stamped when written (serializeTransactionRecord); absent on events written before versions: 1. */
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
  /** X-Road-Represented-Party, as sent. */
  representedParty?: string;
  /** Idempotency-Key, as sent. */
  idempotencyKey?: string;
  /** The transaction whose answer this one replayed (a retry with the same Idempotency-Key). */
  replayOf?: string;
  requestSize: number;
  requestInAt: number;
  /**
   * The client, or the service, is not in the registry as the gateway saw it (written only when true):
   * the daily counters count such a request under `unknown`, so that made-up identifiers add no rows.
   * Decided once, when the request came in: a rebuild counts as the first projection did.
   */
  unregisteredClient?: boolean;
  unregisteredService?: boolean;
  /** The answer was injected: a test client's X-Emulator-Fault (as `latency=800ms;status=503`), or a provider's fault rule (`rule <id>`). */
  injected?: string;
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
  /** The fault stands for a deadline that passed (its code alone does not say: X-Road has no timeout code). */
  timedOut?: boolean;
  responseSize?: number;
  durationMs: number;
}

export type TransactionEvent =
  TransactionRequested | TransactionRejected | TransactionRouted | TransactionResponded | TransactionCompleted | TransactionFailed | TransactionTimedOut | TransactionAnswered;

/** The outcome a client's answer stands for: no fault is a success; a caller's (Client.*) fault a refusal. */
export function outcomeOfAnswer(faultCode: string | undefined, timedOut = false): TransactionOutcome {
  if (!faultCode) return 'success';
  if (timedOut) return 'timeout';
  return isCallersFault(faultCode) ? 'rejected' : 'failed';
}

/** Codes that blame the request (its client, its identifiers, its rights), in either style; the rest blame the platform or the provider. */
const CALLERS_FAULTS = new Set(
  [
    'InvalidClientIdentifier',
    'InvalidRequest',
    'BadRequest',
    'SslAuthenticationFailed',
    'InvalidSecurityServer',
    'AccessDenied',
    'UnknownMember',
    'UnknownService',
    'RateLimited',
  ].map((c) => c.toLowerCase()),
);

export function isCallersFault(faultCode: string): boolean {
  const last = faultCode.split('.').pop()!.replace(/_/g, '').toLowerCase();
  return /^client\./i.test(faultCode) || CALLERS_FAULTS.has(last);
}

export function eventIdFor(transactionId: string, type: TransactionEvent['type'], late = false): string {
  return `${transactionId}:${type}${late ? ':late' : ''}`;
}

/**
 * The schema version of the transaction records this code reads (`schemaVersion`; absent = 1). Version 3 added
 * the record of several events (`events`: those of one transaction that one step decided together), so the hub
 * writes one record per step instead of one per event. A record of one event has not changed since version 2,
 * and is still written as 2 (`SINGLE_EVENT_VERSION`): a reader of version 2 still reads it.
 */
export const TRANSACTION_SCHEMA_VERSION = 3;
const SINGLE_EVENT_VERSION = 2;

const REQUEST_FACTS: Record<string, FieldKind> = {
  xRoadId: 'string',
  lgsp: 'string',
  client: 'string',
  service: 'string',
  provider: 'string',
  userId: 'string?',
  representedParty: 'string?',
  idempotencyKey: 'string?',
  replayOf: 'string?',
  requestSize: 'number',
  requestInAt: 'number',
  unregisteredClient: 'boolean?',
  unregisteredService: 'boolean?',
  injected: 'string?',
};
const FAULT: Record<string, FieldKind> = { statusCode: 'number', faultCode: 'string', faultString: 'string', durationMs: 'number' };

/** Each event type's fields, as its interface declares them (a new type fails to compile until listed); the AsyncAPI schemas (asyncapi.ts) are built from these. */
export const TRANSACTION_EVENT_FIELDS: { [T in TransactionEvent['type']]: Record<string, FieldKind> } = {
  TransactionRequested: { ...REQUEST_FACTS, issue: 'string?' },
  TransactionRejected: { ...REQUEST_FACTS, stage: ['lgsp', 'hub'], statusCode: 'number', faultCode: 'string', faultString: 'string' },
  TransactionRouted: { provider: 'string' },
  TransactionResponded: { statusCode: 'number', responseSize: 'number', providerInAt: 'number', providerOutAt: 'number', late: 'boolean' },
  TransactionCompleted: { statusCode: 'number', responseSize: 'number', durationMs: 'number' },
  TransactionFailed: FAULT,
  TransactionTimedOut: FAULT,
  TransactionAnswered: {
    ...REQUEST_FACTS,
    statusCode: 'number',
    faultCode: 'string?',
    faultString: 'string?',
    responseSize: 'number?',
    durationMs: 'number',
    timedOut: 'boolean?',
  },
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Reads one record of `ndxp.transactions`: the events it holds, in order. Pure and never throws: the one
 * parser of the topic, so a record it cannot read is skipped with the reason rather than stopping the
 * ledger. Version 1 is upgraded (below); a newer version than this reader's is refused.
 */
export function parseTransactionRecord(text: string): Parsed<TransactionEvent[]> {
  const r = readRecord(text, TRANSACTION_SCHEMA_VERSION);
  if (!r.ok) return r;
  const { value, version } = r.value;
  if (version < 3 || !('events' in value)) {
    const e = readEvent(value, version);
    return e.ok ? ok([e.value]) : e;
  }
  if (!Array.isArray(value.events) || value.events.length === 0) return invalid('events is not a non-empty array');
  const events: TransactionEvent[] = [];
  for (const [i, item] of value.events.entries()) {
    const e = isObject(item) ? readEvent(item, version) : invalid<TransactionEvent>('not an object');
    if (!e.ok) return invalid(`events[${i}]: ${e.reason}`);
    if (e.value.transactionId !== value.transactionId) return invalid(`events[${i}] is of transaction ${e.value.transactionId}, the record of ${String(value.transactionId)}`);
    events.push(e.value);
  }
  return ok(events);
}

function readEvent(e: Record<string, unknown>, version: number): Parsed<TransactionEvent> {
  if (typeof e.transactionId !== 'string' || !UUID.test(e.transactionId)) return invalid('transactionId is not a UUID');
  if (typeof e.eventId !== 'string' || typeof e.at !== 'number') return invalid('eventId or at is missing or mistyped');
  const bad = checkTyped(e, TRANSACTION_EVENT_FIELDS);
  if (bad) return invalid(bad);
  return ok((version === 1 ? upgradeFromVersion1(e) : e) as unknown as TransactionEvent);
}
/**
 * Version 1 wrote a deadline that passed as the code `Server.ServerProxy.Timeout`
 * (a code X-Road never sends); version 2 says `timedOut` instead.
 */
function upgradeFromVersion1(e: Record<string, unknown>): Record<string, unknown> {
  return e.type === 'TransactionAnswered' && e.faultCode === 'Server.ServerProxy.Timeout' ? { ...e, timedOut: true } : e;
}

/**
 * The one way transaction events go onto the topic: the events one step decided, of one transaction, as
 * one record (its key is the transaction id), stamped with the schema version it was written in.
 */
export function serializeTransactionRecord(events: TransactionEvent[]): string {
  if (events.length === 0) throw new Error('a transaction record holds at least one event');
  const transactionId = events[0].transactionId;
  if (events.some((e) => e.transactionId !== transactionId)) throw new Error('a transaction record holds the events of one transaction');
  if (events.length === 1) return JSON.stringify({ ...events[0], schemaVersion: SINGLE_EVENT_VERSION });
  return JSON.stringify({ schemaVersion: TRANSACTION_SCHEMA_VERSION, transactionId, events });
}
