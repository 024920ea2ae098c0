import { outcomeOfAnswer, TransactionAnswered, TransactionEvent, TransactionOutcome, TransactionRejected, TransactionRequested, withoutNul } from '@ndxp/contracts';

/** Vietnam's calendar day (UTC+7; no daylight saving since 1975) of an instant. */
export function vietnamDay(ms: number): string {
  return new Date(ms + 7 * 3600_000).toISOString().slice(0, 10);
}

/** A ledger row as the events of one batch describe it; undefined = not said in this batch. */
export interface LedgerPatch {
  transaction_id: string;
  x_road_id?: string;
  day?: string;
  lgsp?: string;
  client?: string;
  service?: string;
  provider?: string;
  user_id?: string;
  issue?: string;
  request_size?: number;
  request_in_at?: string;
  routed_at?: string;
  provider_in_at?: string;
  provider_out_at?: string;
  provider_status?: number;
  response_size?: number;
  late_response?: boolean;
  rejected_at_stage?: string;
  outcome?: TransactionOutcome;
  succeeded?: boolean;
  status_code?: number;
  fault_code?: string;
  fault_string?: string;
  duration_ms?: number;
  completed_at?: string;
  /** The answer was injected (X-Emulator-Fault, or a provider's fault rule): what was injected. */
  injected?: string;
  /** Not columns: the first request event said the client, or the service, was not registered (counted as `unknown`). */
  unregistered_client?: boolean;
  unregistered_service?: boolean;
}

export const LEDGER_COLUMNS: Array<{ name: keyof LedgerPatch; type: string }> = [
  { name: 'transaction_id', type: 'uuid' },
  { name: 'x_road_id', type: 'text' },
  { name: 'day', type: 'date' },
  { name: 'lgsp', type: 'text' },
  { name: 'client', type: 'text' },
  { name: 'service', type: 'text' },
  { name: 'provider', type: 'text' },
  { name: 'user_id', type: 'text' },
  { name: 'issue', type: 'text' },
  { name: 'request_size', type: 'int' },
  { name: 'request_in_at', type: 'timestamptz' },
  { name: 'routed_at', type: 'timestamptz' },
  { name: 'provider_in_at', type: 'timestamptz' },
  { name: 'provider_out_at', type: 'timestamptz' },
  { name: 'provider_status', type: 'int' },
  { name: 'response_size', type: 'int' },
  { name: 'late_response', type: 'boolean' },
  { name: 'rejected_at_stage', type: 'text' },
  { name: 'outcome', type: 'text' },
  { name: 'succeeded', type: 'boolean' },
  { name: 'status_code', type: 'int' },
  { name: 'fault_code', type: 'text' },
  { name: 'fault_string', type: 'text' },
  { name: 'duration_ms', type: 'int' },
  { name: 'completed_at', type: 'timestamptz' },
  { name: 'injected', type: 'text' },
];

const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : undefined);

/** What a transaction's first event says about the request. */
function requestFields(e: TransactionRequested | TransactionRejected | TransactionAnswered): Partial<LedgerPatch> {
  return {
    x_road_id: e.xRoadId,
    day: vietnamDay(e.requestInAt),
    lgsp: e.lgsp,
    client: e.client,
    service: e.service,
    provider: e.provider,
    user_id: e.userId,
    request_size: e.requestSize,
    request_in_at: iso(e.requestInAt),
    unregistered_client: e.unregisteredClient === true,
    unregistered_service: e.unregisteredService === true,
    injected: e.injected,
  };
}

/**
 * Which finished transactions the daily counters count under an `unknown` client, or an `unknown` service
 * and provider: those the gateway found not registered (made-up identifiers would add a row each). Their
 * ledger rows keep what was sent. Decided by the events alone, so a rebuild counts as the first pass did.
 */
export function unregisteredIn(patches: LedgerPatch[]): { clients: string[]; services: string[] } {
  return {
    clients: patches.filter((p) => p.unregistered_client).map((p) => p.transaction_id),
    services: patches.filter((p) => p.unregistered_service).map((p) => p.transaction_id),
  };
}

/**
 * Folds one batch of events into one patch per transaction. Pure. Only what
 * the client was told ends a transaction: an LGSP refusal, or the gateway's
 * TransactionAnswered. The hub's own verdicts (completed, failed, timed out,
 * refused at the hub) are facts about the way there, since the client may
 * have had a different answer (the gateway's deadline passed first). Terminal
 * fields keep the first terminal event (a transaction ends once).
 */
export function patchesFromEvents(events: TransactionEvent[]): Map<string, LedgerPatch> {
  const patches = new Map<string, LedgerPatch>();
  for (const e of events) {
    const p = patches.get(e.transactionId) ?? { transaction_id: e.transactionId };
    patches.set(e.transactionId, p);
    const terminal = (outcome: TransactionOutcome, fields: Partial<LedgerPatch>) => {
      if (p.outcome) return;
      Object.assign(p, fields, { outcome, succeeded: outcome === 'success', completed_at: iso(e.at) });
    };
    switch (e.type) {
      case 'TransactionRequested':
        Object.assign(p, requestFields(e), { issue: e.issue });
        break;
      case 'TransactionRejected':
        Object.assign(p, requestFields(e), { rejected_at_stage: e.stage });
        if (e.stage === 'lgsp') terminal('rejected', { status_code: e.statusCode, fault_code: e.faultCode, fault_string: e.faultString, duration_ms: e.at - e.requestInAt });
        break;
      case 'TransactionRouted':
        p.routed_at = iso(e.at);
        break;
      case 'TransactionResponded':
        if (e.late) p.late_response = true;
        else Object.assign(p, { provider_status: e.statusCode, response_size: e.responseSize, provider_in_at: iso(e.providerInAt), provider_out_at: iso(e.providerOutAt) });
        break;
      case 'TransactionCompleted':
        p.response_size = e.responseSize;
        break;
      case 'TransactionFailed':
      case 'TransactionTimedOut':
        break;
      case 'TransactionAnswered':
        Object.assign(p, requestFields(e));
        terminal(outcomeOfAnswer(e.faultCode, e.timedOut === true), {
          status_code: e.statusCode,
          fault_code: e.faultCode,
          fault_string: e.faultString,
          duration_ms: e.durationMs,
        });
        break;
    }
  }
  return patches;
}

/** The upsert's parameters, one array per column. Text is stored without NUL, whatever the producer sent (PostgreSQL refuses it). */
export function ledgerParams(patches: LedgerPatch[]): unknown[][] {
  return LEDGER_COLUMNS.map((c) =>
    patches.map((p) => {
      const v = p[c.name];
      return typeof v === 'string' ? withoutNul(v) : (v ?? null);
    }),
  );
}

/** An event the ledger cannot hold as it is (its fields do not fold into a row). */
export class UnstorableEvent extends Error {}

/**
 * True for an error no retry can fix, because the event's own data caused it:
 * SQLSTATE classes 22 (data exception: out of range, bad encoding), 23
 * (integrity) and 54 (program limit: a value too large to index), or a fold
 * that failed. Anything else (the database away, a deadlock) is transient.
 */
export function isUnstorable(e: unknown): boolean {
  if (e instanceof UnstorableEvent) return true;
  const code = (e as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^(22|23|54)[0-9A-Z]{3}$/.test(code);
}
