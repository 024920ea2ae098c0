import { MAX_REQUEST_BYTES } from './faults';
import { WireParts } from './exchange';

/**
 * The largest record batch the platform's topics take: the broker's `message.max.bytes` and
 * `replica.fetch.max.bytes` (the launcher's broker and compose's), and `max.message.bytes` on every
 * topic the apps create, so that a broker with Kafka's default (1 MiB) still takes them. A producer's
 * batch is split below it (BatchingProducer), so one large message never fails the others.
 */
export const KAFKA_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** Room in a record for what is not the envelope: key, Kafka headers (correlation id, reply topic, deadline) and framing. */
export const KAFKA_RECORD_OVERHEAD_BYTES = 16 * 1024;

/** The largest envelope (the JSON of an ExchangeRequest or ProviderRequest) a gateway sends: the rest is refused. */
export const MAX_ENVELOPE_BYTES = KAFKA_MAX_MESSAGE_BYTES - KAFKA_RECORD_OVERHEAD_BYTES;

/** Node's default for the request head (request line and headers, `--max-http-header-size`). */
export const DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
/** The largest request head an app may be configured to take (HTTP_MAX_HEADER_SIZE). */
export const MAX_HEADER_BYTES_LIMIT = 64 * 1024;

/** Bytes of base64 for `n` bytes. */
export const base64Length = (n: number): number => 4 * Math.ceil(n / 3);

/**
 * The size of an envelope's JSON, without building the base64 body into it twice: the body's base64
 * needs no escaping, so the JSON with the body is the JSON without it plus its length. An upper bound
 * by at most 10 bytes (`,"body":""` when there is none).
 */
export function envelopeBytes(envelope: WireParts): number {
  return Buffer.byteLength(JSON.stringify({ ...envelope, body: '' })) + (envelope.body?.length ?? 0);
}

/**
 * The largest envelope a request can make, from the limits alone: the body in base64, and the request
 * head (request line and headers, which Node counts together against its limit). Node decodes a head as
 * latin1 and refuses control characters in it, so one byte of it is at most two in JSON (an escape, or
 * UTF-8). The head travels as the header record (at most 4 bytes a byte: a 2-byte name with an empty
 * value is `"ab":"",`), as fields read from its headers (X-Road-Id, -Client, -UserId, -Issue,
 * -Represented-Party: 2×), and as fields read from its URL (path, raw query, service, LGSP: 2× each):
 * 12 bytes a byte in all; 4 KiB for the fixed fields.
 */
export function envelopeBound(maxBodyBytes = MAX_REQUEST_BYTES, maxHeadBytes = DEFAULT_MAX_HEADER_BYTES): number {
  return base64Length(maxBodyBytes) + 12 * maxHeadBytes + 4096;
}
