/**
 * Platform faults as an X-Road security server sends them (checked against
 * the reference proxy, tags 7.7.0 and 7.8.0). An answer with `X-Road-Error` is
 * the platform's; one without it is the provider's, whatever its status
 * (PR-REST §4.6). The body is `{type, message, detail}`; the status is 500
 * when the code starts with `Server.` and 400 otherwise
 * (ClientRestMessageHandler), and on the REST path every code does: errors
 * found by the client's server (here the LGSP) get `Server.ClientProxy.`,
 * errors found by the provider's server (here the hub) `Server.ServerProxy.`.
 *
 * Codes are written in the CamelCase style of X-Road up to 7.7;
 * `faultCodeInStyle` gives the lower-case snake style of 7.8 and later.
 */
export const FaultTypes = {
  /** No X-Road-Client header (AbstractClientMessageProcessor.verifyClientStatus). */
  invalidClientIdentifier: 'Server.ClientProxy.InvalidClientIdentifier',
  /**
   * What the client's server finds wrong while parsing the request: a malformed URI, X-Road-Client,
   * X-Road-Security-Server or X-Road-Represented-Party, an unknown method (RestRequest throws, and the
   * client proxy translates that as InternalError). Also the emulator's own refusals of that kind.
   */
  malformedRequest: 'Server.ClientProxy.InternalError',
  /** The calling system did not authenticate to its LGSP (X-Road: its security server): no key, wrong key. */
  sslAuthenticationFailed: 'Server.ClientProxy.SslAuthenticationFailed',
  /** X-Road-Security-Server names no server of the provider. */
  invalidSecurityServer: 'Server.ClientProxy.InvalidSecurityServer',
  /** The client, or the provider's member or subsystem, is not registered. */
  unknownMember: 'Server.ClientProxy.UnknownMember',
  /** The provider does not have this service. */
  unknownService: 'Server.ServerProxy.UnknownService',
  /** The client has no access right to the service. */
  accessDenied: 'Server.ServerProxy.AccessDenied',
  /**
   * The request came from a server that does not host its client: the hub's check that the LGSP field names an LGSP and the
   * client's own (the reference's CertHelper.verifyAuthCert: "Client '%s' is not registered at security server %s").
   */
  originNotAuthenticated: 'Server.ServerProxy.SslAuthenticationFailed',
  /** A request between the platform's parts without its signature (ServerMessageProcessor.checkRequest: X_MISSING_SIGNATURE). */
  missingSignature: 'Server.ServerProxy.MissingSignature',
  /** A signature that does not verify: made with another key, or the message changed (SignatureVerifier: X_INVALID_SIGNATURE_VALUE). */
  invalidSignature: 'Server.ServerProxy.InvalidSignatureValue',
  /** A metaservice call that lacks what it needs (getOpenAPI without serviceCode). */
  invalidRequest: 'Server.ServerProxy.InvalidRequest',
  /** The provider could not be reached (connection refused: the database is down). */
  networkError: 'Server.ServerProxy.NetworkError',
  /** The provider did not answer in time (a read timeout is an IOException: IOError, not NetworkError). */
  ioError: 'Server.ServerProxy.IOError',
  /** The hub (the provider's server) failed. */
  serverInternalError: 'Server.ServerProxy.InternalError',
  /** The LGSP (the client's server) failed. */
  internalError: 'Server.ClientProxy.InternalError',
  /**
   * The emulator's own, not X-Road's (its security server has no rate limit): the calling system sent more
   * than its LGSP allows (RATE_LIMIT_PER_CLIENT_RPS). Answered with HTTP 429 and Retry-After, not 500, so
   * that ordinary HTTP clients back off; in the ClientProxy namespace, as the client's server refuses it.
   */
  rateLimited: 'Server.ClientProxy.RateLimited',
} as const;

export type FaultType = (typeof FaultTypes)[keyof typeof FaultTypes];

export interface Fault {
  type: FaultType | string;
  message: string;
  /** HTTP status the LGSP answers with. */
  status: number;
  /** The provider did not answer within the deadline (the ledger's outcome `timeout`). */
  timedOut?: boolean;
}

/** The reference proxy's rule: 500 for `Server.*` codes (either style), 400 for the rest. */
export const statusOfFaultCode = (code: string): number => (/^server\./i.test(code) ? 500 : 400);

export const fault = (type: FaultType, message: string, extra: { timedOut?: boolean } = {}): Fault => ({ type, status: statusOfFaultCode(type), message, ...extra });

/** How fault codes are written: X-Road up to 7.7 (`camel`, the default) or 7.8 and later (`snake`). */
export type FaultCodeStyle = 'camel' | 'snake';
export const FAULT_CODE_STYLES: readonly FaultCodeStyle[] = ['camel', 'snake'];

/** `Server.ServerProxy.AccessDenied` → `server.serverproxy.access_denied` in the snake style. */
export function faultCodeInStyle(code: string, style: FaultCodeStyle): string {
  if (style === 'camel') return code;
  const parts = code.split('.');
  const snake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  // The prefixes (Server, ClientProxy, ServerProxy) are lower-cased whole; the codes after them snake-cased.
  return parts.map((p, i) => (i < 2 && /^(Server|Client|ClientProxy|ServerProxy)$/.test(p) ? p.toLowerCase() : snake(p))).join('.');
}

/** Largest request body an LGSP accepts (bytes): 1 MiB. */
export const MAX_REQUEST_BYTES = 1024 * 1024;

/** Default deadline for one exchange at the hub, end to end (ms). */
export const DEFAULT_DEADLINE_MS = 5000;
