import type { Server } from 'http';
import { DEFAULT_MAX_HEADER_BYTES } from '@ndxp/contracts';

/** The HTTP server's bounds on what a client can hold open or send. */
export interface HttpLimits {
  /** Time to receive a request's head (request line and headers); a slow head (slowloris) is cut with 408. */
  headersTimeout: number;
  /** Time to receive a whole request, body included; then 408 and the connection closed. */
  requestTimeout: number;
  /** Idle time a kept-alive connection is held between requests. */
  keepAliveTimeout: number;
  /** Bytes of request head taken; past them, 431. */
  maxHeaderSize: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = { headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5_000, maxHeaderSize: DEFAULT_MAX_HEADER_BYTES };

/** The limits from the settings (unset = the default), or the reason they do not hold together. */
export function httpLimitsOf(c: {
  HTTP_HEADERS_TIMEOUT_MS?: number;
  HTTP_REQUEST_TIMEOUT_MS?: number;
  HTTP_KEEP_ALIVE_TIMEOUT_MS?: number;
  HTTP_MAX_HEADER_SIZE?: number;
}): HttpLimits {
  const limits: HttpLimits = {
    headersTimeout: c.HTTP_HEADERS_TIMEOUT_MS ?? DEFAULT_HTTP_LIMITS.headersTimeout,
    requestTimeout: c.HTTP_REQUEST_TIMEOUT_MS ?? DEFAULT_HTTP_LIMITS.requestTimeout,
    keepAliveTimeout: c.HTTP_KEEP_ALIVE_TIMEOUT_MS ?? DEFAULT_HTTP_LIMITS.keepAliveTimeout,
    maxHeaderSize: c.HTTP_MAX_HEADER_SIZE ?? DEFAULT_HTTP_LIMITS.maxHeaderSize,
  };
  // Node's rule: a head must be due no later than the whole request.
  if (limits.requestTimeout > 0 && limits.headersTimeout > limits.requestTimeout)
    throw new Error(`HTTP_HEADERS_TIMEOUT_MS (${limits.headersTimeout}) must not exceed HTTP_REQUEST_TIMEOUT_MS (${limits.requestTimeout})`);
  return limits;
}

/**
 * Sets the limits on a server before it accepts connections (maxHeaderSize is read per connection).
 * Node checks the two request timeouts every 30 s (connectionsCheckingInterval), so a slow request is cut
 * between the timeout and 30 s after it.
 */
export function applyHttpLimits(server: Server, limits: HttpLimits): void {
  server.headersTimeout = limits.headersTimeout;
  server.requestTimeout = limits.requestTimeout;
  server.keepAliveTimeout = limits.keepAliveTimeout;
  // Read by each new connection's parser (http.Server keeps the option as this property).
  (server as Server & { maxHeaderSize?: number }).maxHeaderSize = limits.maxHeaderSize;
}
