import { Fault } from './faults';
import { eventIdFor, RequestFacts, TransactionAnswered, TransactionEvent, TransactionRejected } from './transaction-events';

/**
 * The transaction lifecycle as a decider: `decideTransaction(command, state)`
 * says which events a command produces, `evolveTransaction(state, event)` folds
 * one in. Pure: no clock (every command carries its `at`), no Kafka. The LGSP
 * gateway and the hub each keep the state of their own part of a transaction
 * (the gateway refuses or answers, the hub rejects or routes and finishes); a
 * command that does not apply in the state decides nothing, which is how a
 * duplicate delivery changes nothing.
 */

export type TransactionPhase = 'none' | 'requested' | 'routed' | 'responded' | 'hub-finished' | 'answered';

export interface TransactionState {
  transactionId: string;
  phase: TransactionPhase;
  /** The request's facts, once an event has told them. */
  request?: RequestFacts;
  /** The hub handed the request to a national database. */
  routed: boolean;
  /** The database answered before the hub finished. */
  responded: boolean;
  /** A late answer was recorded (there is only ever one). */
  lateRecorded: boolean;
  /** The client got its answer (an LGSP refusal or the gateway's answer). */
  answered: boolean;
}

/** The gateway refuses the call before it reaches the hub. */
export interface RefuseAtLgsp {
  kind: 'RefuseAtLgsp';
  at: number;
  request: RequestFacts;
  fault: Fault;
}

/** The hub accepted a request (the client's grant holds). */
export interface AcceptRequest {
  kind: 'Request';
  at: number;
  request: RequestFacts;
  issue?: string;
}

/** The hub refuses a request (the registry denies it). */
export interface RefuseAtHub {
  kind: 'RefuseAtHub';
  at: number;
  request: RequestFacts;
  fault: Fault;
}

/** The hub handed the request to the provider's database. */
export interface Route {
  kind: 'Route';
  at: number;
  provider: string;
}

/** The provider's database answered (a fault in its answer fails the transaction). */
export interface ProviderResponded {
  kind: 'ProviderResponded';
  at: number;
  statusCode: number;
  responseSize: number;
  providerInAt: number;
  providerOutAt: number;
  fault?: Fault;
}

/** The hub gives up without an answer: the deadline passed, or routing failed. */
export interface FinishAtHub {
  kind: 'FinishAtHub';
  at: number;
  outcome: 'failed' | 'timedOut';
  fault: Fault;
}

/** The gateway answers its client (recorded before the answer is sent). */
export interface AnswerClient {
  kind: 'AnswerClient';
  at: number;
  request: RequestFacts;
  statusCode: number;
  faultCode?: string;
  faultString?: string;
  timedOut?: boolean;
}

export type TransactionCommand = RefuseAtLgsp | AcceptRequest | RefuseAtHub | Route | ProviderResponded | FinishAtHub | AnswerClient;

export const initialTransaction = (transactionId: string): TransactionState => ({
  transactionId,
  phase: 'none',
  routed: false,
  responded: false,
  lateRecorded: false,
  answered: false,
});

/** The provider a service belongs to: its first four path segments. */
export function providerOf(service: string): string {
  return service.split('/').slice(0, 4).join('/');
}

/** The one place a refusal is built, at the LGSP or at the hub. */
function rejection(transactionId: string, stage: 'lgsp' | 'hub', at: number, request: RequestFacts, f: Fault): TransactionRejected {
  return {
    type: 'TransactionRejected',
    eventId: eventIdFor(transactionId, 'TransactionRejected'),
    transactionId,
    at,
    ...request,
    stage,
    statusCode: f.status,
    faultCode: f.type,
    faultString: f.message,
  };
}

export function decideTransaction(cmd: TransactionCommand, s: TransactionState): TransactionEvent[] {
  const transactionId = s.transactionId;
  const requestInAt = s.request?.requestInAt ?? cmd.at;
  switch (cmd.kind) {
    case 'RefuseAtLgsp':
      if (s.phase !== 'none') return [];
      return [rejection(transactionId, 'lgsp', cmd.at, cmd.request, cmd.fault)];
    case 'RefuseAtHub':
      if (s.phase !== 'none') return [];
      return [rejection(transactionId, 'hub', cmd.at, cmd.request, cmd.fault)];
    case 'Request':
      if (s.phase !== 'none') return []; // the same request delivered twice
      return [{ type: 'TransactionRequested', eventId: eventIdFor(transactionId, 'TransactionRequested'), transactionId, at: cmd.at, ...cmd.request, issue: cmd.issue }];
    case 'Route':
      if (s.phase !== 'requested') return [];
      return [{ type: 'TransactionRouted', eventId: eventIdFor(transactionId, 'TransactionRouted'), transactionId, at: cmd.at, provider: cmd.provider }];
    case 'ProviderResponded': {
      const responded = (late: boolean): TransactionEvent => ({
        type: 'TransactionResponded',
        eventId: eventIdFor(transactionId, 'TransactionResponded', late),
        transactionId,
        at: cmd.at,
        statusCode: cmd.statusCode,
        responseSize: cmd.responseSize,
        providerInAt: cmd.providerInAt,
        providerOutAt: cmd.providerOutAt,
        late,
      });
      if (s.phase === 'routed') {
        const durationMs = cmd.at - requestInAt;
        if (cmd.fault)
          return [
            responded(false),
            {
              type: 'TransactionFailed',
              eventId: eventIdFor(transactionId, 'TransactionFailed'),
              transactionId,
              at: cmd.at,
              statusCode: cmd.fault.status,
              faultCode: cmd.fault.type,
              faultString: cmd.fault.message,
              durationMs,
            },
          ];
        return [
          responded(false),
          {
            type: 'TransactionCompleted',
            eventId: eventIdFor(transactionId, 'TransactionCompleted'),
            transactionId,
            at: cmd.at,
            statusCode: cmd.statusCode,
            responseSize: cmd.responseSize,
            durationMs,
          },
        ];
      }
      // After the hub gave up: recorded once as late, never delivered; a second delivery, or one after an on-time answer, is nothing.
      if (s.phase === 'hub-finished' && s.routed && !s.responded && !s.lateRecorded) return [responded(true)];
      return [];
    }
    case 'FinishAtHub': {
      if (s.phase !== 'requested' && s.phase !== 'routed') return [];
      const type = cmd.outcome === 'timedOut' ? 'TransactionTimedOut' : 'TransactionFailed';
      return [
        {
          type,
          eventId: eventIdFor(transactionId, type),
          transactionId,
          at: cmd.at,
          statusCode: cmd.fault.status,
          faultCode: cmd.fault.type,
          faultString: cmd.fault.message,
          durationMs: cmd.at - requestInAt,
        },
      ];
    }
    case 'AnswerClient': {
      if (s.answered) return []; // the client has its answer already
      const answered: TransactionAnswered = {
        type: 'TransactionAnswered',
        eventId: eventIdFor(transactionId, 'TransactionAnswered'),
        transactionId,
        at: cmd.at,
        ...cmd.request,
        statusCode: cmd.statusCode,
        ...(cmd.faultCode ? { faultCode: cmd.faultCode, faultString: cmd.faultString } : {}),
        ...(cmd.timedOut ? { timedOut: true } : {}),
        durationMs: cmd.at - cmd.request.requestInAt,
      };
      return [answered];
    }
  }
}

function factsOf(e: TransactionRejected | TransactionAnswered | Extract<TransactionEvent, { type: 'TransactionRequested' }>): RequestFacts {
  return {
    xRoadId: e.xRoadId,
    lgsp: e.lgsp,
    client: e.client,
    service: e.service,
    provider: e.provider,
    ...(e.userId !== undefined ? { userId: e.userId } : {}),
    requestSize: e.requestSize,
    requestInAt: e.requestInAt,
  };
}

export function evolveTransaction(s: TransactionState, e: TransactionEvent): TransactionState {
  if (e.transactionId !== s.transactionId) return s;
  switch (e.type) {
    case 'TransactionRejected':
      return e.stage === 'lgsp' ? { ...s, phase: 'answered', request: factsOf(e), answered: true } : { ...s, phase: 'hub-finished', request: factsOf(e) };
    case 'TransactionRequested':
      return { ...s, phase: 'requested', request: factsOf(e) };
    case 'TransactionRouted':
      return { ...s, phase: 'routed', routed: true };
    case 'TransactionResponded':
      return e.late ? { ...s, lateRecorded: true } : { ...s, phase: 'responded', responded: true };
    case 'TransactionCompleted':
    case 'TransactionFailed':
    case 'TransactionTimedOut':
      return { ...s, phase: 'hub-finished' };
    case 'TransactionAnswered':
      return { ...s, phase: 'answered', request: s.request ?? factsOf(e), answered: true };
  }
}
