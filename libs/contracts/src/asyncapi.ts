import { ADMIN_AUDIT_EVENT_FIELDS, ADMIN_AUDIT_MAX_CHARS, ADMIN_AUDIT_SCHEMA_VERSION, AdminAuditEvent, ADMIN_SCOPES, serializeAdminAuditEvent } from './admin-audit';
import { DatabaseName, PROVIDERS, SERVICES } from './catalogue';
import { EXCHANGE_OPERATION, PROVIDER_CALL_OPERATION } from './exchange';
import { FaultTypes, MAX_REQUEST_BYTES } from './faults';
import { MAX_INJECTED_DELAY_MS } from './injected-fault';
import { PING_OPERATION } from './ping';
import { FieldKind } from './records';
import { REGISTRY_EVENT_FIELDS, REGISTRY_SCHEMA_VERSION, RegistryEvent, RegistryEventEnvelope } from './registry-events';
import { DEAD_LETTER_REASONS, DeadLetterHeaders, HOT_TOPIC_PARTITIONS, KafkaHeaders, Topics } from './topics';
import { serializeTransactionRecord, TRANSACTION_EVENT_FIELDS, TRANSACTION_SCHEMA_VERSION, TransactionEvent } from './transaction-events';

/**
 * The AsyncAPI 3.0 document of the emulator's Kafka topics: every channel (topic), the messages on it with the
 * JSON Schema of their payload and headers, and which app sends or receives them. Built here, next to the types,
 * from the same tables the guarded parsers check records with (TRANSACTION_EVENT_FIELDS, REGISTRY_EVENT_FIELDS,
 * ADMIN_AUDIT_EVENT_FIELDS): an event type added to a parser is in this document, with the fields the parser
 * requires. Each event message carries an example written by the topic's own serializer. Served by every app at
 * GET /docs/asyncapi.json; asyncapi.spec.ts validates it with the official parser (@asyncapi/parser).
 */
export const ASYNCAPI_VERSION = '3.0.0';

type Schema = Record<string, unknown>;
type Ref = { $ref: string };

export interface AsyncApiDocument {
  asyncapi: string;
  id: string;
  info: { title: string; version: string; description: string };
  defaultContentType: string;
  servers: Record<string, Schema>;
  channels: Record<string, Schema>;
  operations: Record<string, Schema>;
  components: { schemas: Record<string, Schema>; messages: Record<string, Schema>; parameters: Record<string, Schema>; correlationIds: Record<string, Schema> };
}

const ref = (kind: string, name: string): Ref => ({ $ref: `#/components/${kind}/${name}` });
const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const epochMs = (description: string): Schema => ({ type: 'integer', minimum: 0, description: `${description} (epoch milliseconds)` });
const KAFKA_BINDING = '0.5.0';
const stringKey = (description: string): Schema => ({ kafka: { key: { type: 'string', description }, bindingVersion: KAFKA_BINDING } });

/** A guarded parser's field kind as JSON Schema: `?` kinds are optional (absent when unset: the writers never write null). */
function kindSchema(kind: FieldKind): Schema {
  if (typeof kind !== 'string') return { type: 'string', enum: [...kind] };
  return { type: kind.replace('?', '') };
}

const isOptional = (kind: FieldKind): boolean => typeof kind === 'string' && kind.endsWith('?');

/**
 * An event type's schema: `type` fixed, the fields shared by every event of the topic (`base`), then the
 * parser's own table for the type, each field refined where the parser checks more than its kind.
 */
function eventSchema(
  type: string,
  description: string,
  base: { properties: Record<string, Schema>; required: string[] },
  fields: Record<string, FieldKind>,
  refine: Record<string, Schema> = {},
): Schema {
  const properties: Record<string, Schema> = { type: { type: 'string', const: type }, ...base.properties };
  for (const [name, kind] of Object.entries(fields)) properties[name] = { ...kindSchema(kind), ...refine[name] };
  const required = [
    'type',
    ...base.required,
    ...Object.entries(fields)
      .filter(([, k]) => !isOptional(k))
      .map(([name]) => name),
  ];
  return { type: 'object', description, required, properties };
}

const schemaVersion = (current: number): Schema => ({
  type: 'integer',
  minimum: 1,
  maximum: current,
  description: `The schema version the record was written in (absent: 1). A reader refuses a version newer than its own (${current} here).`,
});

// ─── ndxp.transactions ──────────────────────────────────────────────────────

const TRANSACTION_DESCRIPTIONS: { [T in TransactionEvent['type']]: string } = {
  TransactionRequested: 'The hub accepted a request from an LGSP (the first event of an exchange that reached a provider).',
  TransactionRejected: "The request was refused before any provider saw it: by the LGSP (stage lgsp) or the hub (stage hub). The request's facts as sent.",
  TransactionRouted: 'The hub sent the request to the national database that offers the service.',
  TransactionResponded: 'The national database answered (late: after the deadline; recorded, never delivered).',
  TransactionCompleted: "The hub delivered the provider's answer.",
  TransactionFailed: 'The exchange failed with a platform fault.',
  TransactionTimedOut: "The hub's deadline passed with no answer from the provider.",
  TransactionAnswered: "What the LGSP answered its client, written before the answer is sent: the ledger's outcome is this event's.",
};

const TRANSACTION_BASE = {
  properties: {
    eventId: { type: 'string', description: '`<transactionId>:<type>` (`:late` added for a late answer): a projection tells a replayed event by it' },
    transactionId: { type: 'string', pattern: UUID_PATTERN, description: "The exchange's id (the record's key)" },
    at: epochMs('When it happened'),
    schemaVersion: schemaVersion(TRANSACTION_SCHEMA_VERSION),
  },
  required: ['eventId', 'transactionId', 'at'],
};

/** A record holding the events one step of the hub decided together (schema version 3). */
const TRANSACTION_STEP = 'TransactionStep';
const TRANSACTION_STEP_SUMMARY =
  'The events of one transaction that one step decided together, in order, as one record (schema version 3): the hub writes TransactionRequested with TransactionRouted (or with TransactionTimedOut when the deadline passed before routing), and TransactionResponded with TransactionCompleted or TransactionFailed. A reader takes each event as if it had come alone. A record of one event is the event itself, written as version 2.';

function transactionStepSchema(types: string[]): Schema {
  return {
    type: 'object',
    description: TRANSACTION_STEP_SUMMARY,
    required: ['schemaVersion', 'transactionId', 'events'],
    properties: {
      schemaVersion: { ...schemaVersion(TRANSACTION_SCHEMA_VERSION), minimum: 3 },
      transactionId: TRANSACTION_BASE.properties.transactionId,
      events: { type: 'array', minItems: 1, items: { oneOf: types.map((t) => ref('schemas', t)) }, description: "The step's events, each of this record's transaction" },
    },
  };
}

const TRANSACTION_REFINE: Record<string, Schema> = {
  stage: { description: 'Who refused it' },
  statusCode: { type: 'integer', minimum: 100, maximum: 599, description: 'HTTP status' },
  faultCode: { description: 'X-Road fault code (X-Road-Error), e.g. Server.ServerProxy.AccessDenied' },
  requestInAt: epochMs('When the LGSP took the request'),
  providerInAt: epochMs('When the provider took the request'),
  providerOutAt: epochMs('When the provider answered'),
  requestSize: { type: 'integer', minimum: 0, description: 'Request body bytes' },
  responseSize: { type: 'integer', minimum: 0, description: 'Response body bytes' },
  durationMs: { type: 'integer', minimum: 0 },
  client: { description: 'X-Road-Client as sent (`INSTANCE/CLASS/MEMBER/SUBSYSTEM`), even when malformed (at most 200 characters)' },
  service: { description: 'The service as addressed (`INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE`)' },
  lgsp: { description: 'Agency code of the LGSP that took the request' },
  injected: { description: "The answer was injected: a test client's X-Emulator-Fault (as `latency=800ms;status=503`) or a fault rule (`rule <id>`)" },
  timedOut: { description: 'The fault stands for a deadline that passed' },
};

const TX = '6f1c2a3e-8b4d-4e5f-9a0b-1c2d3e4f5a6b';
const HANOI_CLIENT = 'VN/GOV/000.00.00.H26/MOTCUA';
const LOOKUP = `${SERVICES[0].provider}/${SERVICES[0].serviceCode}`;
const AT = 1767225600000;
const FACTS = { xRoadId: `VN-${TX}`, lgsp: '000.00.00.H26', client: HANOI_CLIENT, service: LOOKUP, provider: SERVICES[0].provider, requestSize: 0, requestInAt: AT };

/** One event of each type, as its writers write it (every type must have one: it does not compile otherwise). */
const TRANSACTION_EXAMPLES: { [T in TransactionEvent['type']]: Extract<TransactionEvent, { type: T }> } = {
  TransactionRequested: { type: 'TransactionRequested', eventId: `${TX}:TransactionRequested`, transactionId: TX, at: AT + 2, ...FACTS },
  TransactionRejected: {
    type: 'TransactionRejected',
    eventId: `${TX}:TransactionRejected`,
    transactionId: TX,
    at: AT + 2,
    ...FACTS,
    stage: 'hub',
    statusCode: 500,
    faultCode: FaultTypes.accessDenied,
    faultString: `${HANOI_CLIENT} may not call ${LOOKUP}`,
  },
  TransactionRouted: { type: 'TransactionRouted', eventId: `${TX}:TransactionRouted`, transactionId: TX, at: AT + 3, provider: SERVICES[0].provider },
  TransactionResponded: {
    type: 'TransactionResponded',
    eventId: `${TX}:TransactionResponded`,
    transactionId: TX,
    at: AT + 12,
    statusCode: 200,
    responseSize: 412,
    providerInAt: AT + 5,
    providerOutAt: AT + 11,
    late: false,
  },
  TransactionCompleted: { type: 'TransactionCompleted', eventId: `${TX}:TransactionCompleted`, transactionId: TX, at: AT + 13, statusCode: 200, responseSize: 412, durationMs: 11 },
  TransactionFailed: {
    type: 'TransactionFailed',
    eventId: `${TX}:TransactionFailed`,
    transactionId: TX,
    at: AT + 13,
    statusCode: 500,
    faultCode: FaultTypes.networkError,
    faultString: 'the national database could not be reached',
    durationMs: 11,
  },
  TransactionTimedOut: {
    type: 'TransactionTimedOut',
    eventId: `${TX}:TransactionTimedOut`,
    transactionId: TX,
    at: AT + 5002,
    statusCode: 500,
    faultCode: FaultTypes.ioError,
    faultString: 'no answer within 5000 ms',
    durationMs: 5000,
  },
  TransactionAnswered: {
    type: 'TransactionAnswered',
    eventId: `${TX}:TransactionAnswered`,
    transactionId: TX,
    at: AT + 14,
    ...FACTS,
    statusCode: 200,
    responseSize: 412,
    durationMs: 14,
  },
};

// ─── ndxp.registry.events ───────────────────────────────────────────────────

const REGISTRY_DESCRIPTIONS: { [T in RegistryEvent['type']]: string } = {
  AgencyRegistered: 'An agency of the national list (Decision 102 code), and whether it runs an LGSP.',
  SubsystemRegistered: 'A client or provider subsystem of an agency.',
  ServiceRegistered: 'A service a national database offers.',
  AccessGranted: 'A client subsystem may call a service.',
  AccessRevoked: 'A client subsystem may no longer call a service.',
  CredentialIssued: 'An API key of a client subsystem (its SHA-256 only, never the key).',
  CredentialRevoked: 'An API key no longer authenticates.',
  CertificateRegistered: "A TLS certificate a client authenticates with (X-Road's IS certificate): its SHA-256 fingerprint, never the key.",
  CertificateRevoked: 'A certificate no longer authenticates.',
  OperatorCredentialIssued: "A key of an LGSP's operator (reads that LGSP's exchanges, never calls a service): its SHA-256 only.",
  OperatorCredentialRevoked: "An operator's key no longer authenticates.",
};

const REGISTRY_REFINE: Record<string, Schema> = {
  role: {},
  keyHash: { pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the key, lower-case hex' },
  fingerprint: { pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the DER certificate, lower-case hex' },
  notAfter: { format: 'date-time' },
  level: { type: 'integer', minimum: 1 },
};

const REGISTRY_EXAMPLES: { [T in RegistryEvent['type']]: Extract<RegistryEvent, { type: T }> } = {
  AgencyRegistered: {
    type: 'AgencyRegistered',
    code102: '000.00.00.H26',
    decision20: 'H26',
    nameVi: 'Ủy ban nhân dân Thành phố Hà Nội',
    nameEn: 'Hanoi People’s Committee',
    level: 1,
    category: 'province',
    codeConfirmed: true,
    hasLgsp: true,
  },
  SubsystemRegistered: { type: 'SubsystemRegistered', subsystem: HANOI_CLIENT, agency: '000.00.00.H26', name: 'Một cửa (one-stop shop)', role: 'client', testClient: true },
  ServiceRegistered: {
    type: 'ServiceRegistered',
    service: LOOKUP,
    provider: SERVICES[0].provider,
    serviceCode: SERVICES[0].serviceCode,
    version: SERVICES[0].version,
    method: SERVICES[0].method,
    database: SERVICES[0].database,
    description: SERVICES[0].description,
  },
  AccessGranted: { type: 'AccessGranted', client: HANOI_CLIENT, service: LOOKUP },
  AccessRevoked: { type: 'AccessRevoked', client: HANOI_CLIENT, service: LOOKUP },
  CredentialIssued: { type: 'CredentialIssued', client: HANOI_CLIENT, keyId: '9f86d081884c', keyHash: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' },
  CredentialRevoked: { type: 'CredentialRevoked', client: HANOI_CLIENT, keyId: '9f86d081884c' },
  CertificateRegistered: {
    type: 'CertificateRegistered',
    client: HANOI_CLIENT,
    fingerprint: '3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b',
    subject: 'CN=MOTCUA, O=000.00.00.H26, C=VN',
    notAfter: '2027-01-01T00:00:00.000Z',
  },
  CertificateRevoked: { type: 'CertificateRevoked', client: HANOI_CLIENT, fingerprint: '3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b' },
  OperatorCredentialIssued: {
    type: 'OperatorCredentialIssued',
    lgsp: '000.00.00.H26',
    keyId: 'e3b0c44298fc',
    keyHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  },
  OperatorCredentialRevoked: { type: 'OperatorCredentialRevoked', lgsp: '000.00.00.H26', keyId: 'e3b0c44298fc' },
};

const envelopeOf = (event: RegistryEvent, position: number): RegistryEventEnvelope => ({
  globalPosition: position,
  streamId: 'agency-000.00.00.H26',
  streamVersion: position,
  recordedAt: '2026-01-01T00:00:00.000Z',
  event,
  schemaVersion: REGISTRY_SCHEMA_VERSION,
});

const registryEnvelopeSchema = (type: string): Schema => ({
  type: 'object',
  description: `${REGISTRY_DESCRIPTIONS[type as RegistryEvent['type']]} As published from the registry's outbox: the event with its place in the event store.`,
  required: ['globalPosition', 'streamId', 'streamVersion', 'recordedAt', 'event'],
  properties: {
    globalPosition: { type: 'integer', minimum: 1, description: 'Position in the whole store: the order every reader folds the topic in' },
    streamId: { type: 'string', description: 'The aggregate the event belongs to' },
    streamVersion: { type: 'integer', description: "Version of the aggregate's stream after the event" },
    recordedAt: { type: 'string', format: 'date-time' },
    schemaVersion: schemaVersion(REGISTRY_SCHEMA_VERSION),
    event: ref('schemas', type),
  },
});

// ─── ndxp.admin-audit ───────────────────────────────────────────────────────

const ADMIN_DESCRIPTIONS: { [T in AdminAuditEvent['type']]: string } = {
  AdminChangeRequested: "An allowed admin change, written before it is applied (the change waits for Kafka's acknowledgement).",
  AdminChangeAnswered: 'The answer to an admin change, allowed or refused (a refused attempt has only this record).',
};

const ADMIN_BASE = {
  properties: {
    eventId: { type: 'string', description: '`<auditId>:<type>`' },
    at: epochMs('When it was written'),
    schemaVersion: schemaVersion(ADMIN_AUDIT_SCHEMA_VERSION),
  },
  required: ['eventId', 'at'],
};

const ADMIN_REFINE: Record<string, Schema> = {
  ...Object.fromEntries(Object.entries(ADMIN_AUDIT_MAX_CHARS).map(([name, max]) => [name, { maxLength: max }])),
  auditId: { pattern: UUID_PATTERN, description: 'The admin request (the record key)' },
  requestedAt: epochMs('When the admin guard saw the request'),
  scope: { description: 'What the admin API changes' },
  credential: {
    maxLength: ADMIN_AUDIT_MAX_CHARS.credential,
    description: 'ADMIN_TOKEN, FAULTS_ADMIN_TOKEN, PROJECTION_ADMIN_TOKEN, `none` or `unrecognized`: the variable, never its value',
  },
  summary: { maxLength: ADMIN_AUDIT_MAX_CHARS.summary, description: "The request's query and body as JSON, secrets redacted; '' when it had neither" },
  statusCode: { type: 'integer', minimum: 100, maximum: 599, description: 'The status answered; 499 when the client left first' },
  durationMs: { type: 'integer', minimum: 0, maximum: 2 ** 31 - 1 },
  count: {
    type: 'integer',
    minimum: 1,
    maximum: 2 ** 31 - 1,
    description: 'Refused attempts only (schema version 2): how many refusals from this address the record stands for (absent: one)',
  },
};

const AUDIT_ID = '0b7e4a52-3c1d-4f6e-8a9b-2c3d4e5f6a7b';
const AUDIT_FACTS = {
  auditId: AUDIT_ID,
  requestedAt: AT,
  app: 'providers',
  instance: 'providers-1',
  scope: ADMIN_SCOPES[1],
  method: 'PUT',
  route: '/admin/faults/population',
  credential: 'FAULTS_ADMIN_TOKEN',
  remoteAddress: '127.0.0.1',
  allowed: true,
  summary: '{"body":{"mode":"down"}}',
};

const ADMIN_EXAMPLES: { [T in AdminAuditEvent['type']]: Extract<AdminAuditEvent, { type: T }> } = {
  AdminChangeRequested: { type: 'AdminChangeRequested', eventId: `${AUDIT_ID}:AdminChangeRequested`, at: AT, ...AUDIT_FACTS },
  AdminChangeAnswered: { type: 'AdminChangeAnswered', eventId: `${AUDIT_ID}:AdminChangeAnswered`, at: AT + 4, ...AUDIT_FACTS, statusCode: 200, durationMs: 4 },
};

// ─── request/reply ──────────────────────────────────────────────────────────

const WIRE_PROPERTIES: Record<string, Schema> = {
  headers: {
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'End-to-end HTTP headers, names lower-case, repeated headers joined with ", " (hop-by-hop headers never travel)',
  },
  body: { type: 'string', contentEncoding: 'base64', description: "The body's bytes in base64, untouched; absent when there is none" },
};

const FAULT_SCHEMA: Schema = {
  type: 'object',
  description: 'A platform fault, as the LGSP answers it (X-Road-Error and a {type, message, detail} body)',
  required: ['type', 'message', 'status'],
  properties: {
    type: { type: 'string', description: 'X-Road fault code', examples: [FaultTypes.accessDenied] },
    message: { type: 'string' },
    status: { type: 'integer', minimum: 100, maximum: 599, description: 'HTTP status the LGSP answers with' },
    timedOut: { type: 'boolean', description: 'The provider did not answer within the deadline' },
  },
};

const INJECTION_SCHEMA: Schema = {
  type: 'object',
  description: "What a test client's X-Emulator-Fault asks of the provider for this one request (the header itself is never forwarded)",
  properties: {
    latencyMs: { type: 'integer', minimum: 0, maximum: MAX_INJECTED_DELAY_MS },
    status: { type: 'integer', minimum: 100, maximum: 599, description: "The provider's own answer, with this status" },
    timeout: { type: 'boolean', const: true, description: 'Never answer' },
  },
};

const EXCHANGE_REQUEST: Schema = {
  type: 'object',
  description: 'One exchange, as the LGSP took it from a local system (X-Road REST, PR-REST)',
  required: ['transactionId', 'xRoadId', 'requestId', 'lgsp', 'client', 'service', 'method', 'path', 'rawQuery', 'requestSize', 'requestInAt', 'deadlineAt', 'headers'],
  properties: {
    transactionId: { type: 'string', pattern: UUID_PATTERN },
    xRoadId: { type: 'string', description: "X-Road-Id: the caller's message id (`{instance}-{UUID}` when the caller sent none)" },
    requestId: { type: 'string', description: 'X-Road-Request-Id: fresh per request' },
    lgsp: { type: 'string', description: 'Agency code of the LGSP that took the request: the hub checks the signature with its key' },
    client: { type: 'string', description: 'X-Road-Client' },
    service: { type: 'string', description: 'The service as addressed' },
    userId: { type: 'string', description: 'X-Road-UserId' },
    issue: { type: 'string', description: 'X-Road-Issue' },
    representedParty: { type: 'string', description: 'X-Road-Represented-Party' },
    method: { type: 'string' },
    path: { type: 'string', description: "The path after the service code, as sent ('' when none)" },
    rawQuery: { type: 'string', description: "The query string without '?' ('' when none)" },
    requestSize: { type: 'integer', minimum: 0, maximum: MAX_REQUEST_BYTES },
    requestInAt: epochMs('When the LGSP took the request'),
    deadlineAt: epochMs('When the LGSP stops waiting'),
    inject: ref('schemas', 'ProviderInjection'),
    ...WIRE_PROPERTIES,
  },
};

const EXCHANGE_RESPONSE: Schema = {
  type: 'object',
  description: "The provider's answer (any status), or the platform's fault",
  required: ['transactionId', 'status', 'responseSize'],
  properties: {
    transactionId: { type: 'string', pattern: UUID_PATTERN },
    status: { type: 'integer', minimum: 100, maximum: 599 },
    fault: ref('schemas', 'Fault'),
    responseSize: { type: 'integer', minimum: 0 },
    ...WIRE_PROPERTIES,
  },
};

const PROVIDER_REQUEST: Schema = {
  type: 'object',
  description: 'One call of a national database, after the hub checked the client and its access right',
  required: ['transactionId', 'service', 'serviceCode', 'client', 'method', 'path', 'rawQuery', 'deadlineAt', 'headers'],
  properties: {
    transactionId: { type: 'string', pattern: UUID_PATTERN },
    service: { type: 'string' },
    serviceCode: { type: 'string', enum: SERVICES.map((s) => s.serviceCode) },
    client: { type: 'string' },
    method: { type: 'string' },
    path: { type: 'string' },
    rawQuery: { type: 'string' },
    deadlineAt: epochMs('When the hub stops waiting'),
    inject: ref('schemas', 'ProviderInjection'),
    ...WIRE_PROPERTIES,
  },
};

const PROVIDER_RESPONSE: Schema = {
  type: 'object',
  description: "The national database's own answer (any status), or a fault when it could not answer at all",
  required: ['transactionId', 'status', 'providerInAt', 'providerOutAt'],
  properties: {
    transactionId: { type: 'string', pattern: UUID_PATTERN },
    status: { type: 'integer', minimum: 100, maximum: 599 },
    fault: ref('schemas', 'Fault'),
    providerInAt: epochMs('When the provider took the request'),
    providerOutAt: epochMs('When it answered'),
    ...WIRE_PROPERTIES,
  },
};

const PING_REQUEST: Schema = {
  type: 'object',
  description: 'The smoke exchange (GET /ops/smoke on a gateway): the hub answers it itself',
  required: ['fromInstance', 'sentAt'],
  properties: {
    fromInstance: { type: 'string' },
    lgsp: { type: 'string', description: 'The LGSP whose key signs the ping' },
    sentAt: { type: 'string', format: 'date-time' },
  },
};

const PING_REPLY: Schema = {
  type: 'object',
  required: ['hub', 'receivedAt'],
  properties: { hub: { type: 'string', description: "The hub instance's id" }, receivedAt: { type: 'string', format: 'date-time' } },
};

/** The headers of a request: what its consumer acts on, all signed (signing.ts). */
const requestHeaders = (operation: string, replyTopicPattern: string, signedWith: string): Schema => ({
  type: 'object',
  required: [KafkaHeaders.correlationId, KafkaHeaders.replyTo, KafkaHeaders.operation, KafkaHeaders.deadline, KafkaHeaders.signature],
  properties: {
    [KafkaHeaders.correlationId]: { type: 'string', description: 'Matches the reply to the request (a UUID; the transaction id on a provider request)' },
    [KafkaHeaders.replyTo]: { type: 'string', pattern: replyTopicPattern, description: "The requester's own reply topic: the answer goes there" },
    [KafkaHeaders.operation]: { type: 'string', const: operation },
    [KafkaHeaders.deadline]: { type: 'string', pattern: '^[0-9]{1,16}$', description: 'Epoch milliseconds, in decimal, after which nobody waits for the answer' },
    [KafkaHeaders.signature]: {
      type: 'string',
      pattern: '^v1=[A-Za-z0-9_-]{43}$',
      description: `HMAC-SHA256 (base64url) over [topic, operation, correlation id, reply topic, deadline] as a JSON array, a newline, then the value bytes; key: ${signedWith}. An unsigned or badly signed request is refused (Server.ServerProxy.MissingSignature, InvalidSignatureValue).`,
    },
  },
});

const REPLY_HEADERS: Schema = {
  type: 'object',
  required: [KafkaHeaders.correlationId],
  properties: { [KafkaHeaders.correlationId]: { type: 'string', description: "The request's correlation id" } },
};

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const LGSP_REPLY_PATTERN = `^${escape(Topics.lgspReplies(''))}[A-Za-z0-9._-]+$`;
const HUB_REPLY_PATTERN = `^${escape(Topics.hubReplies(''))}[A-Za-z0-9._-]+$`;

// ─── the document ───────────────────────────────────────────────────────────

const serialized = (text: string): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>;

function eventMessages<T extends string>(
  types: T[],
  descriptions: Record<T, string>,
  example: (type: T) => Record<string, unknown>,
  payload: (type: T) => Schema | Ref,
  key: string,
): Record<string, Schema> {
  return Object.fromEntries(
    types.map((type) => [
      type,
      {
        name: type,
        title: type,
        summary: descriptions[type],
        contentType: 'application/json',
        payload: payload(type),
        bindings: stringKey(key),
        examples: [{ name: type, payload: example(type) }],
      },
    ]),
  );
}

const channelMessages = (names: string[]): Record<string, Ref> => Object.fromEntries(names.map((n) => [n, ref('messages', n)]));
const opMessages = (channel: string, names: string[]): Ref[] => names.map((n) => ({ $ref: `#/channels/${channel}/messages/${n}` }));
const channelRef = (name: string): Ref => ({ $ref: `#/channels/${name}` });
const topicBinding = (partitions: number): Schema => ({ kafka: { partitions, bindingVersion: KAFKA_BINDING } });

/** The AsyncAPI 3.0 document of the emulator's topics (pure; the same every call). */
export function asyncApiDocument(): AsyncApiDocument {
  const transactionTypes = Object.keys(TRANSACTION_EVENT_FIELDS) as Array<TransactionEvent['type']>;
  const registryTypes = Object.keys(REGISTRY_EVENT_FIELDS) as Array<RegistryEvent['type']>;
  const adminTypes = Object.keys(ADMIN_AUDIT_EVENT_FIELDS) as Array<AdminAuditEvent['type']>;
  const registryMessage = (t: string) => `${t}Envelope`;
  const schemas: Record<string, Schema> = {
    Fault: FAULT_SCHEMA,
    ProviderInjection: INJECTION_SCHEMA,
    ExchangeRequest: EXCHANGE_REQUEST,
    ExchangeResponse: EXCHANGE_RESPONSE,
    ProviderRequest: PROVIDER_REQUEST,
    ProviderResponse: PROVIDER_RESPONSE,
    PingRequest: PING_REQUEST,
    PingReply: PING_REPLY,
  };
  for (const t of transactionTypes) schemas[t] = eventSchema(t, TRANSACTION_DESCRIPTIONS[t], TRANSACTION_BASE, TRANSACTION_EVENT_FIELDS[t], TRANSACTION_REFINE);
  schemas[TRANSACTION_STEP] = transactionStepSchema(transactionTypes);
  for (const t of registryTypes) schemas[t] = eventSchema(t, REGISTRY_DESCRIPTIONS[t], { properties: {}, required: [] }, REGISTRY_EVENT_FIELDS[t], REGISTRY_REFINE);
  for (const t of adminTypes) schemas[t] = eventSchema(t, ADMIN_DESCRIPTIONS[t], ADMIN_BASE, ADMIN_AUDIT_EVENT_FIELDS[t], ADMIN_REFINE);

  const messages: Record<string, Schema> = {
    ...eventMessages(
      transactionTypes,
      TRANSACTION_DESCRIPTIONS,
      (t) => serialized(serializeTransactionRecord([TRANSACTION_EXAMPLES[t]])),
      (t) => ref('schemas', t),
      'The transaction id',
    ),
    [TRANSACTION_STEP]: {
      name: TRANSACTION_STEP,
      title: TRANSACTION_STEP,
      summary: TRANSACTION_STEP_SUMMARY,
      contentType: 'application/json',
      payload: ref('schemas', TRANSACTION_STEP),
      bindings: stringKey('The transaction id'),
      examples: [{ name: TRANSACTION_STEP, payload: serialized(serializeTransactionRecord([TRANSACTION_EXAMPLES.TransactionRequested, TRANSACTION_EXAMPLES.TransactionRouted])) }],
    },
    ...Object.fromEntries(
      Object.entries(
        eventMessages(
          registryTypes,
          REGISTRY_DESCRIPTIONS,
          (t) => serialized(JSON.stringify(envelopeOf(REGISTRY_EXAMPLES[t], registryTypes.indexOf(t) + 1))),
          (t) => registryEnvelopeSchema(t),
          "The event's stream id",
        ),
      ).map(([t, m]) => [registryMessage(t), { ...m, name: registryMessage(t) }]),
    ),
    ...eventMessages(
      adminTypes,
      ADMIN_DESCRIPTIONS,
      (t) => serialized(serializeAdminAuditEvent(ADMIN_EXAMPLES[t])),
      (t) => ref('schemas', t),
      'The audit id',
    ),
    ExchangeRequest: {
      name: 'ExchangeRequest',
      title: 'Exchange request',
      summary: `LGSP → hub: one X-Road exchange (${KafkaHeaders.operation}: ${EXCHANGE_OPERATION}), signed with the key of the LGSP it names`,
      contentType: 'application/json',
      headers: requestHeaders(EXCHANGE_OPERATION, LGSP_REPLY_PATTERN, "the LGSP's key, derived from PLATFORM_SIGNING_KEY (LGSP_SIGNING_KEYS)"),
      payload: ref('schemas', 'ExchangeRequest'),
      correlationId: ref('correlationIds', 'requestCorrelation'),
      bindings: stringKey('The transaction id'),
    },
    PingRequest: {
      name: 'PingRequest',
      title: 'Ping',
      summary: `LGSP → hub: the smoke exchange (${KafkaHeaders.operation}: ${PING_OPERATION})`,
      contentType: 'application/json',
      headers: requestHeaders(PING_OPERATION, LGSP_REPLY_PATTERN, "the key of the LGSP named in the body's `lgsp`"),
      payload: ref('schemas', 'PingRequest'),
      correlationId: ref('correlationIds', 'requestCorrelation'),
      bindings: stringKey('The correlation id'),
    },
    ExchangeResponse: {
      name: 'ExchangeResponse',
      title: 'Exchange response',
      summary: "Hub → LGSP: the provider's answer or the platform's fault",
      contentType: 'application/json',
      headers: REPLY_HEADERS,
      payload: ref('schemas', 'ExchangeResponse'),
      correlationId: ref('correlationIds', 'requestCorrelation'),
      bindings: stringKey('The correlation id'),
    },
    PingReply: {
      name: 'PingReply',
      title: 'Ping reply',
      summary: 'Hub → LGSP: the smoke exchange answered',
      contentType: 'application/json',
      headers: REPLY_HEADERS,
      payload: ref('schemas', 'PingReply'),
      correlationId: ref('correlationIds', 'requestCorrelation'),
      bindings: stringKey('The correlation id'),
    },
    ProviderRequest: {
      name: 'ProviderRequest',
      title: 'Provider request',
      summary: `Hub → national database: one call (${KafkaHeaders.operation}: ${PROVIDER_CALL_OPERATION})`,
      contentType: 'application/json',
      headers: requestHeaders(PROVIDER_CALL_OPERATION, HUB_REPLY_PATTERN, 'PROVIDER_SIGNING_KEY (the gateways never hold it)'),
      payload: ref('schemas', 'ProviderRequest'),
      correlationId: ref('correlationIds', 'requestCorrelation'),
      bindings: stringKey('The transaction id'),
    },
    ProviderResponse: {
      name: 'ProviderResponse',
      title: 'Provider response',
      summary: 'National database → hub: its answer, or a fault',
      contentType: 'application/json',
      headers: REPLY_HEADERS,
      payload: ref('schemas', 'ProviderResponse'),
      correlationId: ref('correlationIds', 'requestCorrelation'),
      bindings: stringKey('The transaction id'),
    },
    DeadLetter: {
      name: 'DeadLetter',
      title: 'Dead letter',
      summary: 'A record a consumer could not process: its key and value byte for byte, its own headers, and these saying where from and why',
      headers: {
        type: 'object',
        required: [
          DeadLetterHeaders.topic,
          DeadLetterHeaders.partition,
          DeadLetterHeaders.offset,
          DeadLetterHeaders.group,
          DeadLetterHeaders.reason,
          DeadLetterHeaders.detail,
          DeadLetterHeaders.at,
        ],
        properties: {
          [DeadLetterHeaders.topic]: { type: 'string', description: 'The topic it was consumed from' },
          [DeadLetterHeaders.partition]: { type: 'string', pattern: '^[0-9]+$' },
          [DeadLetterHeaders.offset]: { type: 'string', pattern: '^[0-9]+$' },
          [DeadLetterHeaders.group]: { type: 'string', description: 'The consumer group that gave up on it' },
          [DeadLetterHeaders.reason]: { type: 'string', enum: [...DEAD_LETTER_REASONS] },
          [DeadLetterHeaders.detail]: { type: 'string', maxLength: 1001, description: 'Why, at most 1000 characters (then …)' },
          [DeadLetterHeaders.at]: { type: 'string', format: 'date-time' },
          [DeadLetterHeaders.truncated]: { type: 'string', pattern: '^[0-9]+$', description: "Set when the value was cut to fit the topic's message size: its length as consumed" },
        },
      },
      payload: { description: 'The original value, whatever it was (possibly not JSON)' },
    },
    LauncherProbe: {
      name: 'LauncherProbe',
      title: 'Launcher probe',
      summary: 'A random nonce the launcher sends and reads back to prove the broker round-trips a message; no app reads it',
      contentType: 'text/plain',
      payload: { type: 'string' },
    },
  };

  const channels: Record<string, Schema> = {
    hubRequests: {
      address: Topics.hubRequests,
      title: 'Requests to the hub',
      description: `Requests from the LGSP gateways to the NDXP hub (${HOT_TOPIC_PARTITIONS} partitions, keyed by transaction id). The hub answers on the topic the request's ${KafkaHeaders.replyTo} header names.`,
      messages: channelMessages(['ExchangeRequest', 'PingRequest']),
      bindings: topicBinding(HOT_TOPIC_PARTITIONS),
    },
    lgspReplies: {
      address: Topics.lgspReplies('{instanceId}'),
      title: "An LGSP process's replies",
      description: 'Replies from the hub to one LGSP gateway process: one topic per process instance (INSTANCE_ID), created by that process.',
      parameters: { instanceId: ref('parameters', 'instanceId') },
      messages: channelMessages(['ExchangeResponse', 'PingReply']),
    },
    providerRequests: {
      address: Topics.providerRequests('{database}'),
      title: 'Requests to a national database',
      description: `Requests from the hub to one national database (${HOT_TOPIC_PARTITIONS} partitions, keyed by transaction id).`,
      parameters: { database: ref('parameters', 'database') },
      messages: channelMessages(['ProviderRequest']),
      bindings: topicBinding(HOT_TOPIC_PARTITIONS),
    },
    hubReplies: {
      address: Topics.hubReplies('{instanceId}'),
      title: "A hub process's replies",
      description:
        'Answers of the national databases to one hub process: one topic per hub instance. An answer after the deadline is recorded (TransactionResponded, late), never delivered.',
      parameters: { instanceId: ref('parameters', 'instanceId') },
      messages: channelMessages(['ProviderResponse']),
    },
    transactions: {
      address: Topics.transactions,
      title: 'Transactions',
      description: `Every exchange as a stream of events, keyed by transaction id (${HOT_TOPIC_PARTITIONS} partitions): the source of truth of the ledger and the counters, which are projections of it. Fields follow X-Road's operational monitoring records. Schema version ${TRANSACTION_SCHEMA_VERSION}.`,
      messages: channelMessages([...transactionTypes, TRANSACTION_STEP]),
      bindings: topicBinding(HOT_TOPIC_PARTITIONS),
    },
    registryEvents: {
      address: Topics.registryEvents,
      title: 'Registry events',
      description: `The registry's facts (members, subsystems, services, access rights, credentials), published from its outbox in the order of the event store; one partition: one order. Every gateway and hub folds it from the start into its view of who may call what. Schema version ${REGISTRY_SCHEMA_VERSION}.`,
      messages: channelMessages(registryTypes.map(registryMessage)),
      bindings: topicBinding(1),
    },
    adminAudit: {
      address: Topics.adminAudit,
      title: 'Admin audit trail',
      description: `Every admin change (a request to an admin API other than a read), let through or refused, keyed by its audit id; one partition. Who (the credential's variable, never the token), what (app, scope, method, route, a redacted summary), when, and the status answered. Schema version ${ADMIN_AUDIT_SCHEMA_VERSION}.`,
      messages: channelMessages(adminTypes),
      bindings: topicBinding(1),
    },
    deadLetter: {
      address: Topics.deadLetter,
      title: 'Dead letters',
      description:
        'Records a consumer could not process (refused by a guarded parser, refused by the database, or failing after bounded retries), kept byte for byte so that nothing read is lost; one partition.',
      messages: channelMessages(['DeadLetter']),
      bindings: topicBinding(1),
    },
    launcherProbe: {
      address: Topics.launcherProbe,
      title: 'Launcher probe',
      description: "The launcher's proof that a fresh broker round-trips a message.",
      messages: channelMessages(['LauncherProbe']),
    },
  };

  const eventOps = (app: string, action: 'send' | 'receive', channel: string, names: string[], summary: string): Schema => ({
    action,
    channel: channelRef(channel),
    summary,
    tags: [{ name: app }],
    messages: opMessages(channel, names),
  });
  const answeredByLgsp: Array<TransactionEvent['type']> = ['TransactionAnswered', 'TransactionRejected'];
  const operations: Record<string, Schema> = {
    lgspRequestExchange: {
      ...eventOps(
        'lgsp',
        'send',
        'hubRequests',
        ['ExchangeRequest', 'PingRequest'],
        'A gateway forwards an exchange (or a ping) to the hub and waits for the answer until the deadline',
      ),
      reply: { channel: channelRef('lgspReplies'), messages: opMessages('lgspReplies', ['ExchangeResponse', 'PingReply']) },
    },
    lgspReceiveReplies: eventOps(
      'lgsp',
      'receive',
      'lgspReplies',
      ['ExchangeResponse', 'PingReply'],
      'A gateway process reads its own reply topic (a fresh consumer group per start)',
    ),
    ndxpAnswerExchange: {
      ...eventOps(
        'ndxp',
        'receive',
        'hubRequests',
        ['ExchangeRequest', 'PingRequest'],
        "The hub checks each request's signature, origin, client and access right, calls the national database, and answers on the request's reply topic",
      ),
      reply: { channel: channelRef('lgspReplies'), messages: opMessages('lgspReplies', ['ExchangeResponse', 'PingReply']) },
    },
    ndxpCallProvider: {
      ...eventOps('ndxp', 'send', 'providerRequests', ['ProviderRequest'], 'The hub calls the national database that offers the service'),
      reply: { channel: channelRef('hubReplies'), messages: opMessages('hubReplies', ['ProviderResponse']) },
    },
    ndxpReceiveProviderReplies: eventOps('ndxp', 'receive', 'hubReplies', ['ProviderResponse'], 'A hub process reads its own reply topic'),
    providersAnswerCall: {
      ...eventOps(
        'providers',
        'receive',
        'providerRequests',
        ['ProviderRequest'],
        "A national database checks the hub's signature and answers (or not, as an injected fault says)",
      ),
      reply: { channel: channelRef('hubReplies'), messages: opMessages('hubReplies', ['ProviderResponse']) },
    },
    lgspRecordAnswer: eventOps(
      'lgsp',
      'send',
      'transactions',
      answeredByLgsp,
      'A gateway records what it answered its client (and its own refusals, stage lgsp) before the answer is sent',
    ),
    ndxpRecordTransaction: eventOps(
      'ndxp',
      'send',
      'transactions',
      [...transactionTypes.filter((t) => t !== 'TransactionAnswered'), TRANSACTION_STEP],
      'The hub records each step of an exchange it handles (its refusals with stage hub), one record per step',
    ),
    ndxpProjectLedger: eventOps('ndxp', 'receive', 'transactions', [...transactionTypes, TRANSACTION_STEP], 'The hub projects the ledger and the daily counters'),
    registryPublishEvents: eventOps(
      'registry',
      'send',
      'registryEvents',
      registryTypes.map(registryMessage),
      "The registry's outbox relay publishes each stored event, in store order",
    ),
    lgspFoldRegistry: eventOps('lgsp', 'receive', 'registryEvents', registryTypes.map(registryMessage), 'A gateway folds the registry into its view (from the start)'),
    ndxpFoldRegistry: eventOps('ndxp', 'receive', 'registryEvents', registryTypes.map(registryMessage), 'The hub folds the registry into its view (from the start)'),
    registryAuditAdminChange: eventOps('registry', 'send', 'adminAudit', adminTypes, "The registry's admin API records each change"),
    ndxpAuditAdminChange: eventOps('ndxp', 'send', 'adminAudit', adminTypes, "The hub's admin API (projection rebuilds) records each change"),
    providersAuditAdminChange: eventOps('providers', 'send', 'adminAudit', adminTypes, "The national databases' fault admin API records each change"),
    ndxpProjectAuditTrail: eventOps('ndxp', 'receive', 'adminAudit', adminTypes, 'The hub projects the admin audit trail (GET /admin/audit)'),
    deadLetterRecords: eventOps('any', 'send', 'deadLetter', ['DeadLetter'], 'Any consumer of the platform puts there a record it cannot process'),
    launcherProbe: eventOps('launcher', 'send', 'launcherProbe', ['LauncherProbe'], 'The launcher, once, after it started a broker'),
  };

  return {
    asyncapi: ASYNCAPI_VERSION,
    id: 'urn:ndxp-emulator:kafka',
    info: {
      title: 'NDXP emulator: Kafka topics',
      version: '0.1.0',
      description:
        "The topics between the emulator's apps: the LGSP gateways (lgsp), the NDXP hub (ndxp), the national databases (providers) and the registry. " +
        'Request/reply over Kafka: a requester sends on a request topic with a correlation id, its own reply topic, the operation and a deadline in headers, signed; the answer comes back on that reply topic with the same correlation id. ' +
        'Events: JSON, stamped with `schemaVersion`, read by guarded parsers that skip (dead-letter) a record they cannot read rather than stop.',
    },
    defaultContentType: 'application/json',
    servers: {
      local: {
        host: '127.0.0.1:{port}',
        protocol: 'kafka',
        title: "The launcher's broker",
        description: 'The broker `ndxp up` starts (or KAFKA_BROKERS): Apache Kafka in KRaft mode; SASL/SCRAM when KAFKA_SASL_MECHANISM is set.',
        variables: { port: { default: '9092', description: 'KAFKA_PORT' } },
      },
    },
    channels,
    operations,
    components: {
      schemas,
      messages,
      parameters: {
        instanceId: { description: 'The process instance (INSTANCE_ID), e.g. lgsp-1, ndxp-2' },
        database: { enum: Object.keys(PROVIDERS) as DatabaseName[], description: 'The national database' },
      },
      correlationIds: {
        requestCorrelation: { description: 'The request and its reply share this header', location: `$message.header#/${KafkaHeaders.correlationId}` },
      },
    },
  };
}
