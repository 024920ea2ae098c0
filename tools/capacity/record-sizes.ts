import type { ExchangeRequest, ExchangeResponse, ProviderRequest, ProviderResponse } from '@ndxp/contracts/exchange';
import { KafkaHeaders } from '@ndxp/contracts/topics';
import { serializeTransactionRecord, TransactionEvent } from '@ndxp/contracts/transaction-events';

/**
 * An ESTIMATE of the Kafka records of one transaction, in bytes: the envelopes
 * of a successful citizen lookup through the Hà Nội LGSP, built with the
 * contracts' own types and serialised as the apps do (JSON), plus the record's
 * key (the transaction id), its headers and its framing. Not measured on a
 * broker: the capacity model's default record sizes are these means.
 */

/** Per record in a v2 batch: length, attributes, timestamp and offset deltas, key and value lengths, header count (varints), and a share of the 61-byte batch header. Approximate. */
export const RECORD_FRAMING_BYTES = 20;

const TX = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const X_ROAD_ID = 'VN-9b2c6f1e-7d44-4a8e-b1f3-2c5d8e9a0b17';
const AT = 1_663_900_000_000; // 23/9/2022, 02:26 UTC
const CLIENT = 'VN/GOV/000.00.00.H26/MOTCUA';
const PROVIDER = 'VN/GOV/000.00.00.G01/CSDLQGDC';
const SERVICE = `${PROVIDER}/citizen-lookup`;
const PATH = '/001090000001';

/** The lookup's answer as the population database gives it (apps/providers/src/national/national-services.ts, citizenFields). */
const CITIZEN_ANSWER = {
  personalId: '001090000001',
  fullName: 'Nguyễn Văn An',
  dateOfBirth: '1990-05-17',
  sex: 'male',
  hometown: 'Hà Nội',
  permanentAddress: 'Số 1, Hàng Bài, Hoàn Kiếm, Hà Nội',
  ethnicity: 'Kinh',
  nationality: 'Việt Nam',
};
const ANSWER_BYTES = Buffer.byteLength(JSON.stringify(CITIZEN_ANSWER));
const ANSWER_BODY = Buffer.from(JSON.stringify(CITIZEN_ANSWER)).toString('base64');

const requestHeaders = { accept: 'application/json', 'user-agent': 'curl/8.5.0', 'x-road-client': CLIENT };
const answerHeaders = { 'content-type': 'application/json; charset=utf-8' };

/** The Kafka headers of a request (request-reply.ts) and of a reply. */
const REQUEST_KAFKA_HEADERS = {
  [KafkaHeaders.correlationId]: TX,
  [KafkaHeaders.replyTo]: 'ndxp.lgsp.replies.lgsp-1-5f3a9c',
  [KafkaHeaders.operation]: 'exchange',
  [KafkaHeaders.deadline]: String(AT + 5000),
  [KafkaHeaders.signature]: `v1.${'x'.repeat(43)}`,
};
const REPLY_KAFKA_HEADERS = { [KafkaHeaders.correlationId]: TX };

const exchangeRequest: ExchangeRequest = {
  headers: requestHeaders,
  transactionId: TX,
  xRoadId: X_ROAD_ID,
  requestId: '0d6c1c4e-2a7b-4f0e-9c1d-6b8e2f3a4c5d',
  lgsp: '000.00.00.H26',
  client: CLIENT,
  service: SERVICE,
  userId: 'cb-mc-0001',
  method: 'GET',
  path: PATH,
  rawQuery: '',
  requestSize: 0,
  requestInAt: AT,
  deadlineAt: AT + 5000,
};
const providerRequest: ProviderRequest = {
  headers: requestHeaders,
  transactionId: TX,
  service: SERVICE,
  serviceCode: 'citizen-lookup',
  client: CLIENT,
  method: 'GET',
  path: PATH,
  rawQuery: '',
  deadlineAt: AT + 5000,
};
const providerResponse: ProviderResponse = { headers: answerHeaders, body: ANSWER_BODY, transactionId: TX, status: 200, providerInAt: AT + 4, providerOutAt: AT + 9 };
const exchangeResponse: ExchangeResponse = { headers: answerHeaders, body: ANSWER_BODY, transactionId: TX, status: 200, responseSize: ANSWER_BYTES };

const base = <T extends TransactionEvent['type']>(type: T, at: number) => ({ type, eventId: `${TX}:${type}`, transactionId: TX, at });
const facts = { xRoadId: X_ROAD_ID, lgsp: '000.00.00.H26', client: CLIENT, service: SERVICE, provider: PROVIDER, userId: 'cb-mc-0001', requestSize: 0, requestInAt: AT };

/** The five events of a successful transaction on ndxp.transactions. */
export const SAMPLE_EVENTS: readonly TransactionEvent[] = [
  { ...base('TransactionRequested', AT + 1), ...facts },
  { ...base('TransactionRouted', AT + 3), provider: PROVIDER },
  { ...base('TransactionResponded', AT + 10), statusCode: 200, responseSize: ANSWER_BYTES, providerInAt: AT + 4, providerOutAt: AT + 9, late: false },
  { ...base('TransactionCompleted', AT + 11), statusCode: 200, responseSize: ANSWER_BYTES, durationMs: 11 },
  { ...base('TransactionAnswered', AT + 12), ...facts, statusCode: 200, responseSize: ANSWER_BYTES, durationMs: 12 },
];

/**
 * How the platform writes them: one record per step (the hub's request and its routing; the database's
 * answer and the hub's completion; the gateway's answer), as routing.service.ts and the answer recorder do.
 */
export const SAMPLE_RECORDS: ReadonlyArray<readonly TransactionEvent[]> = [SAMPLE_EVENTS.slice(0, 2), SAMPLE_EVENTS.slice(2, 4), SAMPLE_EVENTS.slice(4)];

const headerBytes = (h: Record<string, string>) => Object.entries(h).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v) + 2, 0);

/** A record's bytes on the log: value, key (the transaction id), headers and framing. */
export const recordBytes = (value: string, headers: Record<string, string> = {}): number =>
  Buffer.byteLength(value) + Buffer.byteLength(TX) + headerBytes(headers) + RECORD_FRAMING_BYTES;

export interface RecordSizes {
  requests: Array<{ name: string; bytes: number }>;
  events: Array<{ name: string; bytes: number }>;
  meanRequestBytes: number;
  meanEventBytes: number;
}

const mean = (xs: Array<{ bytes: number }>) => Math.round(xs.reduce((s, x) => s + x.bytes, 0) / xs.length);

/** The estimate: each record of the representative transaction, and the two means. */
export function estimateRecordSizes(): RecordSizes {
  const requests = [
    { name: 'ExchangeRequest', bytes: recordBytes(JSON.stringify(exchangeRequest), REQUEST_KAFKA_HEADERS) },
    { name: 'ProviderRequest', bytes: recordBytes(JSON.stringify(providerRequest), { ...REQUEST_KAFKA_HEADERS, [KafkaHeaders.operation]: 'provider.call' }) },
    { name: 'ProviderResponse', bytes: recordBytes(JSON.stringify(providerResponse), REPLY_KAFKA_HEADERS) },
    { name: 'ExchangeResponse', bytes: recordBytes(JSON.stringify(exchangeResponse), REPLY_KAFKA_HEADERS) },
  ];
  const events = SAMPLE_RECORDS.map((r) => ({ name: r.map((e) => e.type).join(' + '), bytes: recordBytes(serializeTransactionRecord([...r])) }));
  return { requests, events, meanRequestBytes: mean(requests), meanEventBytes: mean(events) };
}
