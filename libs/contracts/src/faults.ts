/**
 * Platform faults in X-Road's form: `Client.*` when the caller is at fault
 * (4xx), `Server.*` when the platform or the provider is (5xx). A fault travels
 * as the body `{type, message, detail}` with the `X-Road-Error` header = type.
 */
export const FaultTypes = {
  badRequest: 'Client.BadRequest',
  missingHeader: 'Client.MissingHeader',
  accessDenied: 'Client.AccessDenied',
  unknownService: 'Client.UnknownService',
  unknownMember: 'Client.UnknownMember',
  serviceFailed: 'Server.ServerProxy.ServiceFailed',
  serviceUnavailable: 'Server.ServerProxy.ServiceUnavailable',
  timeout: 'Server.ServerProxy.Timeout',
  internalError: 'Server.ServerProxy.InternalError',
} as const;

export type FaultType = (typeof FaultTypes)[keyof typeof FaultTypes];

export interface Fault {
  type: FaultType | string;
  message: string;
  /** HTTP status the LGSP answers with. */
  status: number;
}

export const fault = (type: FaultType, status: number, message: string): Fault => ({ type, status, message });

/** Largest request body an LGSP accepts (bytes): 1 MiB. */
export const MAX_REQUEST_BYTES = 1024 * 1024;

/** Default deadline for one exchange at the hub, end to end (ms). */
export const DEFAULT_DEADLINE_MS = 5000;
