import { Fault } from './faults';
import { ProviderInjection } from './injected-fault';

/** The Kafka operation header of an exchange (the smoke exchange's is PING_OPERATION). */
export const EXCHANGE_OPERATION = 'exchange';

/** The Kafka operation header of a hub's call of a national database. */
export const PROVIDER_CALL_OPERATION = 'provider.call';

/**
 * An HTTP message's end-to-end parts as they cross Kafka, untouched: the
 * gateway neither parses nor re-serialises a body, whatever its type.
 */
export interface WireParts {
  /** End-to-end headers, names lower-case, repeated headers joined with ", " (hop-by-hop ones never travel). */
  headers: Record<string, string>;
  /** The body's bytes in base64; absent when there is none. */
  body?: string;
}

/** LGSP → NDXP: one exchange, as the LGSP took it from a local system. */
export interface ExchangeRequest extends WireParts {
  /** Unique per transaction (the ledger's key). */
  transactionId: string;
  /** X-Road-Id: the caller's message id (generated as `{instance}-{UUID}` when absent). */
  xRoadId: string;
  /** X-Road-Request-Id: fresh per request, whatever the X-Road-Id. */
  requestId: string;
  /** Agency code of the LGSP that took the request. */
  lgsp: string;
  client: string;
  service: string;
  userId?: string;
  issue?: string;
  representedParty?: string;
  method: string;
  /** The service path after the service code, exactly as sent ('' when none; a trailing slash kept). */
  path: string;
  /** The query string as sent, without the '?' ('' when none). */
  rawQuery: string;
  requestSize: number;
  requestInAt: number;
  deadlineAt: number;
  /** What a test client's X-Emulator-Fault asks of the provider (the header itself is never forwarded). */
  inject?: ProviderInjection;
}

/** NDXP → LGSP: the provider's answer, or the platform's fault. */
export interface ExchangeResponse extends Partial<WireParts> {
  transactionId: string;
  status: number;
  fault?: Fault;
  responseSize: number;
}

/** NDXP → provider. */
export interface ProviderRequest extends WireParts {
  transactionId: string;
  service: string;
  serviceCode: string;
  client: string;
  method: string;
  path: string;
  rawQuery: string;
  deadlineAt: number;
  /** An injected fault for this request (a test client's X-Emulator-Fault), passed on by the hub. */
  inject?: ProviderInjection;
}

/** Provider → NDXP: its own answer (any status), or a fault when it could not answer at all. */
export interface ProviderResponse extends Partial<WireParts> {
  transactionId: string;
  status: number;
  fault?: Fault;
  providerInAt: number;
  providerOutAt: number;
}

/** The size in bytes of a base64 body, without decoding it. */
export function base64Size(b64: string | undefined): number {
  if (!b64) return 0;
  const padding = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return (b64.length * 3) / 4 - padding;
}
