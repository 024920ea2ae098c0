import { Fault } from './faults';

/** The Kafka operation header of an exchange (the smoke exchange's is PING_OPERATION). */
export const EXCHANGE_OPERATION = 'exchange';

/** LGSP → NDXP: one exchange, as the LGSP took it from a local system. */
export interface ExchangeRequest {
  /** Unique per transaction (the ledger's key). */
  transactionId: string;
  /** X-Road-Id: the caller's message id (also its idempotency key). */
  xRoadId: string;
  /** Agency code of the LGSP that took the request. */
  lgsp: string;
  client: string;
  service: string;
  userId?: string;
  issue?: string;
  method: string;
  /** Path after the service code, without leading slash ('' when none). */
  path: string;
  query: Record<string, string>;
  body?: unknown;
  requestSize: number;
  requestInAt: number;
  deadlineAt: number;
}

/** NDXP → LGSP: the provider's answer, or the platform's fault. */
export interface ExchangeResponse {
  transactionId: string;
  status: number;
  body?: unknown;
  fault?: Fault;
  responseSize: number;
}

/** NDXP → provider. */
export interface ProviderRequest {
  transactionId: string;
  service: string;
  serviceCode: string;
  client: string;
  method: string;
  path: string;
  query: Record<string, string>;
  body?: unknown;
  deadlineAt: number;
}

/** Provider → NDXP. A provider fault (outage, injected error) comes as `fault`. */
export interface ProviderResponse {
  transactionId: string;
  status: number;
  body?: unknown;
  fault?: Fault;
  providerInAt: number;
  providerOutAt: number;
}
