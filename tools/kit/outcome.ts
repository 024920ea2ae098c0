import { FaultTypes } from '@ndxp/contracts';
import { Exchange } from './har-read';

/**
 * What a client was told by one exchange, and whether sending the same request again can help.
 *
 * Retryable: the platform could not reach the provider (`Server.ServerProxy.NetworkError`) or got no
 * answer in time (`Server.ServerProxy.IOError`, the deadline), the emulator's rate limit (429
 * `Server.ClientProxy.RateLimited`, after its Retry-After), a provider's 502/503/504, a 409 (the same
 * Idempotency-Key still in flight: "retry later"), and no answer at all (connection reset, or a request
 * the client gave up on). Not retryable: every other fault, since they are about the request or the
 * client's rights (InvalidClientIdentifier, SslAuthenticationFailed, UnknownMember, UnknownService,
 * AccessDenied, InternalError, which is also the code of a malformed request: the same request gets it
 * again), and the provider's other answers (400, 404: the same key gets the same answer).
 */
export type OutcomeKind = 'success' | 'provider-error' | 'fault' | 'no-answer';

export interface Outcome {
  kind: OutcomeKind;
  retryable: boolean;
  /** For a person: `200`, `503 (provider)`, `fault Server.ServerProxy.NetworkError`, `no answer`. */
  label: string;
  why: string;
}

/** `Server.ServerProxy.NetworkError` and X-Road 7.8's `server.serverproxy.network_error` alike. */
const norm = (code: string) => code.toLowerCase().replace(/_/g, '');
export const RETRYABLE_FAULTS: ReadonlyMap<string, string> = new Map([
  [norm(FaultTypes.networkError), 'the provider could not be reached'],
  [norm(FaultTypes.ioError), 'no answer within the deadline'],
  [norm(FaultTypes.rateLimited), 'rate limited: retry after Retry-After'],
]);
export const RETRYABLE_STATUSES: ReadonlyMap<number, string> = new Map([
  [409, 'the same Idempotency-Key is still in flight: retry later'],
  [429, 'too many requests: retry after Retry-After'],
  [502, 'bad gateway'],
  [503, 'service unavailable'],
  [504, 'gateway timeout'],
]);

export function isRetryableFault(code: string): boolean {
  return RETRYABLE_FAULTS.has(norm(code));
}

export function outcomeOf(e: Exchange): Outcome {
  if (e.noAnswer) return { kind: 'no-answer', retryable: true, label: 'no answer (connection reset)', why: 'the connection closed with no answer' };
  const byStatus = RETRYABLE_STATUSES.get(e.status);
  if (e.faultType) {
    const why = RETRYABLE_FAULTS.get(norm(e.faultType)) ?? byStatus;
    return {
      kind: 'fault',
      retryable: why !== undefined,
      label: `${e.status} ${e.faultType}`,
      why: why ?? 'a fault of the request or of the client’s rights: the same request gets it again',
    };
  }
  if (e.status < 400) return { kind: 'success', retryable: false, label: String(e.status), why: 'answered' };
  return {
    kind: 'provider-error',
    retryable: byStatus !== undefined,
    label: `${e.status} (the provider’s answer)`,
    why: byStatus ?? 'the provider’s own answer to this request: the same request gets it again',
  };
}
