import { Parser, AsyncAPIDocumentInterface } from '@asyncapi/parser';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { ADMIN_AUDIT_EVENT_FIELDS, parseAdminAuditEvent } from './admin-audit';
import { asyncApiDocument, ASYNCAPI_VERSION } from './asyncapi';
import { EXCHANGE_OPERATION, ExchangeRequest, ExchangeResponse, PROVIDER_CALL_OPERATION, ProviderRequest, ProviderResponse } from './exchange';
import { FaultTypes, fault } from './faults';
import { PING_OPERATION, PingReply, PingRequest } from './ping';
import { FieldKind } from './records';
import { parseRegistryEnvelope, REGISTRY_EVENT_FIELDS } from './registry-events';
import { signingKey, signMessage } from './signing';
import { KafkaHeaders, Topics } from './topics';
import { parseTransactionRecord, TRANSACTION_EVENT_FIELDS, TRANSACTION_SCHEMA_VERSION } from './transaction-events';

type Json = Record<string, any>;

/** Diagnostics of the official parser that are errors (0) or warnings (1); hints and infos (a newer minor version exists) are not. */
async function parse(doc: unknown): Promise<{ document?: AsyncAPIDocumentInterface; problems: string[] }> {
  const { document, diagnostics } = await new Parser().parse(JSON.stringify(doc));
  return { document, problems: diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code} at ${d.path.join('/')}: ${d.message}`) };
}

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);

/** A transaction record of one event, read as that event (a record of several is the TransactionStep message, below). */
const parseTransactionEvent = (text: string) => {
  const r = parseTransactionRecord(text);
  return r.ok ? { ok: true as const, value: r.value.length === 1 ? r.value[0] : r.value } : r;
};

/** The three event topics: each one's channel, the guarded parser's table of types and fields, its parser, and its messages of several events. */
const TOPICS = [
  { channel: 'transactions', fields: TRANSACTION_EVENT_FIELDS, message: (t: string) => t, parse: parseTransactionEvent, eventOf: (p: Json) => p, batches: ['TransactionStep'] },
  { channel: 'registryEvents', fields: REGISTRY_EVENT_FIELDS, message: (t: string) => `${t}Envelope`, parse: parseRegistryEnvelope, eventOf: (p: Json) => p.event, batches: [] },
  { channel: 'adminAudit', fields: ADMIN_AUDIT_EVENT_FIELDS, message: (t: string) => t, parse: parseAdminAuditEvent, eventOf: (p: Json) => p, batches: [] },
] as const;

const required = (fields: Record<string, FieldKind>): string[] => Object.entries(fields).flatMap(([name, kind]) => (typeof kind === 'string' && kind.endsWith('?') ? [] : [name]));

describe('the AsyncAPI document of the Kafka topics', () => {
  let document: AsyncAPIDocumentInterface;
  const payloadOf = (channel: string, message: string): Json => document.channels().get(channel)!.messages().get(message)!.payload()!.json();
  const headersOf = (channel: string, message: string): Json => document.channels().get(channel)!.messages().get(message)!.headers()!.json();
  const validators = new Map<string, ValidateFunction>();
  const validatorOf = (schema: Json): ValidateFunction => {
    const key = JSON.stringify(schema);
    if (!validators.has(key)) validators.set(key, ajv.compile(schema));
    return validators.get(key)!;
  };
  const errorsOf = (schema: Json, value: unknown): string[] => {
    const v = validatorOf(schema);
    return v(value) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  };

  beforeAll(async () => {
    // Given the document as the apps serve it (JSON)
    const r = await parse(asyncApiDocument());
    // Then the official parser finds no error and no warning in it
    expect(r.problems).toEqual([]);
    document = r.document!;
  }, 30_000);

  it(`is AsyncAPI ${ASYNCAPI_VERSION}, with a channel for every topic`, () => {
    expect(document.version()).toBe('3.0.0');
    const addresses = document
      .channels()
      .all()
      .map((c) => c.address());
    expect(addresses.sort()).toEqual(
      [
        Topics.hubRequests,
        Topics.lgspReplies('{instanceId}'),
        Topics.providerRequests('{database}'),
        Topics.hubReplies('{instanceId}'),
        Topics.transactions,
        Topics.registryEvents,
        Topics.deadLetter,
        Topics.adminAudit,
        Topics.launcherProbe,
      ].sort(),
    );
  });

  it('is refused by the parser when broken, so the check above checks something', async () => {
    const broken = asyncApiDocument() as unknown as Json;
    broken.operations.lgspRequestExchange.messages = [{ $ref: '#/channels/transactions/messages/TransactionRouted' }];
    delete broken.info.title;
    const r = await parse(broken);
    expect(r.document).toBeUndefined();
    expect(r.problems.join('\n')).toMatch(/title/);
  });

  it("says who sends and who receives each topic's messages", () => {
    const ops = (action: 'send' | 'receive', channel: string) =>
      document
        .operations()
        .all()
        .filter((o) => o.action() === action && o.channels().all()[0]?.id() === channel)
        .map((o) => o.tags().all()[0].name())
        .sort();
    expect(ops('send', 'hubRequests')).toEqual(['lgsp']);
    expect(ops('receive', 'hubRequests')).toEqual(['ndxp']);
    expect(ops('send', 'providerRequests')).toEqual(['ndxp']);
    expect(ops('receive', 'providerRequests')).toEqual(['providers']);
    expect(ops('send', 'transactions')).toEqual(['lgsp', 'ndxp']);
    expect(ops('receive', 'registryEvents')).toEqual(['lgsp', 'ndxp']);
    expect(ops('send', 'adminAudit')).toEqual(['ndxp', 'providers', 'registry']);
    // and a request's answer comes back on the requester's reply topic
    const reply = document.operations().get('lgspRequestExchange')!.reply()!;
    expect(reply.channel()!.address()).toBe(Topics.lgspReplies('{instanceId}'));
  });

  describe.each(TOPICS)('$channel: the guarded parser and the document cannot drift', ({ channel, fields, message, parse: parseRecord, eventOf, batches }) => {
    const types = Object.keys(fields);

    it('has a message for every event type the parser reads, and none it does not', () => {
      const messages = document
        .channels()
        .get(channel)!
        .messages()
        .all()
        .map((m) => m.id());
      expect(messages.sort()).toEqual([...types.map(message), ...batches].sort());
    });

    it.each(types)('%s: its schema requires what the parser requires', (type) => {
      const payload = payloadOf(channel, message(type));
      const eventSchema = channel === 'registryEvents' ? payload.properties.event : payload;
      expect(eventSchema.properties.type.const).toBe(type);
      expect(eventSchema.required).toEqual(expect.arrayContaining(required((fields as Record<string, Record<string, FieldKind>>)[type])));
      expect(Object.keys(eventSchema.properties)).toEqual(expect.arrayContaining(Object.keys((fields as Record<string, Record<string, FieldKind>>)[type])));
    });

    it.each(types)("%s: its example is read by the topic's parser and fits its schema", (type) => {
      const examples = document.channels().get(channel)!.messages().get(message(type))!.examples().all();
      expect(examples).toHaveLength(1);
      const example = examples[0].payload() as Json;
      const parsed = parseRecord(JSON.stringify(example));
      expect(parsed).toEqual({ ok: true, value: example });
      expect(errorsOf(payloadOf(channel, message(type)), example)).toEqual([]);
    });

    it.each(types)('%s: without a field the parser requires, the schema refuses it too', (type) => {
      const example = document.channels().get(channel)!.messages().get(message(type))!.examples().all()[0].payload() as Json;
      for (const name of required((fields as Record<string, Record<string, FieldKind>>)[type])) {
        const record = structuredClone(example);
        delete eventOf(record)[name];
        expect({ name, parsed: parseRecord(JSON.stringify(record)).ok }).toEqual({ name, parsed: false });
        expect({ name, errors: errorsOf(payloadOf(channel, message(type)), record).length > 0 }).toEqual({ name, errors: true });
      }
    });
  });

  it("TransactionStep: its example is read by the topic's parser as its events, in order, and fits its schema", () => {
    const example = document.channels().get('transactions')!.messages().get('TransactionStep')!.examples().all()[0].payload() as Json;
    expect(parseTransactionRecord(JSON.stringify(example))).toEqual({ ok: true, value: example.events });
    expect(example.events.map((e: Json) => e.type)).toEqual(['TransactionRequested', 'TransactionRouted']);
    const schema = payloadOf('transactions', 'TransactionStep');
    expect(errorsOf(schema, example)).toEqual([]);
    // and an event the parser refuses inside it is refused by the schema too
    const broken = structuredClone(example);
    delete broken.events[1].provider;
    expect(parseTransactionRecord(JSON.stringify(broken)).ok).toBe(false);
    expect(errorsOf(schema, broken)).not.toEqual([]);
  });

  it('refuses, as the parsers do, a schema version newer than the writers', () => {
    const example = document.channels().get('transactions')!.messages().get('TransactionRouted')!.examples().all()[0].payload() as Json;
    const newer = { ...example, schemaVersion: TRANSACTION_SCHEMA_VERSION + 1 };
    expect(parseTransactionEvent(JSON.stringify(newer)).ok).toBe(false);
    expect(errorsOf(payloadOf('transactions', 'TransactionRouted'), newer)).not.toEqual([]);
  });

  describe('request/reply', () => {
    const TX = '0d6f3c9a-5b1e-4c2d-8e7f-9a0b1c2d3e4f';
    const key = signingKey('a-signing-key-of-at-least-32-characters');
    const deadline = String(Date.now() + 5000);
    /** The headers KafkaRequester writes (libs/platform's request-reply.ts), signed as it signs them. */
    const headers = (topic: string, operation: string, replyTo: string, value: string) => ({
      [KafkaHeaders.correlationId]: TX,
      [KafkaHeaders.replyTo]: replyTo,
      [KafkaHeaders.operation]: operation,
      [KafkaHeaders.deadline]: deadline,
      [KafkaHeaders.signature]: signMessage(key, { topic, operation, correlationId: TX, replyTo, deadline }, value),
    });
    const wire = { headers: { accept: 'application/json' } };
    const exchange: ExchangeRequest = {
      ...wire,
      transactionId: TX,
      xRoadId: `VN-${TX}`,
      requestId: TX,
      lgsp: '000.00.00.H26',
      client: 'VN/GOV/000.00.00.H26/MOTCUA',
      service: 'VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup',
      method: 'GET',
      path: '/001090000001',
      rawQuery: '',
      requestSize: 0,
      requestInAt: Date.now(),
      deadlineAt: Date.now() + 5000,
      inject: { latencyMs: 800, status: 503 },
    };
    const provider: ProviderRequest = {
      ...wire,
      transactionId: TX,
      service: exchange.service,
      serviceCode: 'citizen-lookup',
      client: exchange.client,
      method: 'GET',
      path: '/001090000001',
      rawQuery: '',
      deadlineAt: Date.now() + 5000,
    };
    const ping: PingRequest = { fromInstance: 'lgsp-1', lgsp: '000.00.00.H26', sentAt: new Date().toISOString() };
    const answer = { headers: { 'content-type': 'application/json' }, body: Buffer.from('{}').toString('base64') };
    const cases: Array<[string, string, unknown, Record<string, string> | undefined]> = [
      ['hubRequests', 'ExchangeRequest', exchange, headers(Topics.hubRequests, EXCHANGE_OPERATION, Topics.lgspReplies('lgsp-1'), JSON.stringify(exchange))],
      ['hubRequests', 'PingRequest', ping, headers(Topics.hubRequests, PING_OPERATION, Topics.lgspReplies('lgsp-1'), JSON.stringify(ping))],
      ['lgspReplies', 'ExchangeResponse', { ...answer, transactionId: TX, status: 200, responseSize: 2 } satisfies ExchangeResponse, { [KafkaHeaders.correlationId]: TX }],
      [
        'lgspReplies',
        'ExchangeResponse',
        { transactionId: TX, status: 500, responseSize: 0, fault: fault(FaultTypes.accessDenied, 'no right') } satisfies ExchangeResponse,
        { [KafkaHeaders.correlationId]: TX },
      ],
      ['lgspReplies', 'PingReply', { hub: 'ndxp-1', receivedAt: new Date().toISOString() } satisfies PingReply, { [KafkaHeaders.correlationId]: TX }],
      [
        'providerRequests',
        'ProviderRequest',
        provider,
        headers(Topics.providerRequests('population'), PROVIDER_CALL_OPERATION, Topics.hubReplies('ndxp-1'), JSON.stringify(provider)),
      ],
      [
        'hubReplies',
        'ProviderResponse',
        { ...answer, transactionId: TX, status: 404, providerInAt: Date.now(), providerOutAt: Date.now() } satisfies ProviderResponse,
        { [KafkaHeaders.correlationId]: TX },
      ],
    ];

    it.each(cases)('%s %s: what the apps write fits the schemas of its payload and its headers', (channel, message, payload, h) => {
      expect(errorsOf(payloadOf(channel, message), JSON.parse(JSON.stringify(payload)))).toEqual([]);
      if (h) expect(errorsOf(headersOf(channel, message), h)).toEqual([]);
    });

    it('a request without its signature, or with a reply topic of the other link, does not fit', () => {
      const h = headers(Topics.hubRequests, EXCHANGE_OPERATION, Topics.lgspReplies('lgsp-1'), JSON.stringify(exchange));
      const { [KafkaHeaders.signature]: _signature, ...unsigned } = h;
      expect(errorsOf(headersOf('hubRequests', 'ExchangeRequest'), unsigned)).not.toEqual([]);
      expect(errorsOf(headersOf('hubRequests', 'ExchangeRequest'), { ...h, [KafkaHeaders.replyTo]: Topics.hubReplies('ndxp-1') })).not.toEqual([]);
      expect(errorsOf(headersOf('hubRequests', 'ExchangeRequest'), { ...h, [KafkaHeaders.operation]: PING_OPERATION })).not.toEqual([]);
    });
  });
});
