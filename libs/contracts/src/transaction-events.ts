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
}

export interface TransactionRequested extends Base {
  type: 'TransactionRequested';
  xRoadId: string;
  lgsp: string;
  client: string;
  service: string;
  provider: string;
  userId?: string;
  issue?: string;
  requestSize: number;
  requestInAt: number;
}

export interface TransactionRejected extends Base {
  type: 'TransactionRejected';
  xRoadId: string;
  lgsp: string;
  /** What the caller sent, even when malformed (truncated to 200 characters). */
  client: string;
  service: string;
  provider: string;
  userId?: string;
  stage: 'lgsp' | 'hub';
  requestSize: number;
  requestInAt: number;
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
export interface TransactionAnswered extends Base {
  type: 'TransactionAnswered';
  xRoadId: string;
  lgsp: string;
  client: string;
  service: string;
  provider: string;
  userId?: string;
  requestSize: number;
  requestInAt: number;
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
