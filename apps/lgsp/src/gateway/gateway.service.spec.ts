import { evolveRegistryView, ExchangeRequest, FaultTypes, hashApiKey, RegistryEvent, SERVICES, serviceKeyOf, TransactionEvent } from '@ndxp/contracts';
import { AppConfig, KafkaService, RegistryViewService } from '@ndxp/platform';
import { AnswerRecorder } from '../record/answer-recorder.service';
import { LgspConfig } from '../lgsp.config';
import { HubClientService } from './hub-client.service';
import { GatewayInput, GatewayService } from './gateway.service';

const LGSP = '000.00.00.H26';
const CLIENT = `VN/GOV/${LGSP}/MOTCUA`;
const UNGRANTED = `VN/GOV/${LGSP}/KHAC`;
const KEY = 'unit-key-of-motcua-000000';
const KEY2 = 'unit-key-of-khac-00000000';
const SERVICE = SERVICES.find((s) => s.database === 'population')!;
const SERVICE_KEY = serviceKeyOf(SERVICE);

const seed: RegistryEvent[] = [
  { type: 'AgencyRegistered', code102: LGSP, nameVi: 'Hà Nội', nameEn: 'Ha Noi', level: 1, category: 'province', codeConfirmed: true, hasLgsp: true },
  { type: 'AgencyRegistered', code102: '000.00.00.G01', nameVi: 'Bộ Công an', nameEn: 'MPS', level: 1, category: 'ministry', codeConfirmed: true, hasLgsp: false },
  { type: 'SubsystemRegistered', subsystem: SERVICE.provider, agency: '000.00.00.G01', name: 'population', role: 'provider' },
  { type: 'ServiceRegistered', ...SERVICE, service: SERVICE_KEY, description: 'lookup' } as RegistryEvent,
  { type: 'SubsystemRegistered', subsystem: CLIENT, agency: LGSP, name: 'one-stop shop', role: 'client' },
  { type: 'SubsystemRegistered', subsystem: UNGRANTED, agency: LGSP, name: 'another', role: 'client' },
  { type: 'AccessGranted', client: CLIENT, service: SERVICE_KEY },
  { type: 'CredentialIssued', client: CLIENT, keyId: 'k1', keyHash: hashApiKey(KEY) },
  { type: 'CredentialIssued', client: UNGRANTED, keyId: 'k2', keyHash: hashApiKey(KEY2) },
];

/** The gateway over a registry view folded from `seed`, a recorder that keeps the events, and a hub that answers 200. */
function gateway(rps = 0, answerHeaders: Record<string, string> = {}) {
  const view = new RegistryViewService({} as KafkaService, {} as AppConfig);
  seed.forEach((e, i) => evolveRegistryView(view.state, e, i + 1));
  const recorded: TransactionEvent[] = [];
  const recorder = { record: async (e: TransactionEvent) => void recorded.push(e) } as unknown as AnswerRecorder;
  const sent: ExchangeRequest[] = [];
  const hub = {
    request: async (_op: string, req: ExchangeRequest) => {
      sent.push(req);
      return {
        transactionId: req.transactionId,
        status: 200,
        headers: { 'content-type': 'application/json', ...answerHeaders },
        body: Buffer.from('{}').toString('base64'),
        responseSize: 2,
      };
    },
  } as unknown as HubClientService;
  const config = Object.assign(new LgspConfig(), {
    LGSP_AGENCIES: 'all',
    LGSP_SHARD: '1/1',
    EXCHANGE_TIMEOUT_MS: 5000,
    IDEMPOTENCY_TTL_S: 600,
    FAULT_CODE_STYLE: 'camel',
    RATE_LIMIT_PER_CLIENT_RPS: rps,
  });
  return { g: new GatewayService(hub, view, recorder, config), recorded, sent };
}

/** A request; `bodyReads` counts the gateway's calls for the body. */
function request(o: { client?: string; key?: string; path?: string; method?: string; headers?: Record<string, string>; body?: Buffer } = {}) {
  const headers: Record<string, string> = {
    'x-road-client': o.client ?? CLIENT,
    ...(o.key === '' ? {} : { 'x-api-key': o.key ?? KEY }),
    ...(o.body ? { 'content-length': String(o.body.length) } : {}),
    ...o.headers,
  };
  const reads = { n: 0 };
  const input: GatewayInput = {
    method: o.method ?? 'GET',
    url: o.path ?? `/r1/${SERVICE_KEY}?id=1`,
    rawHeaders: Object.entries(headers).flat(),
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    readBody: async () => {
      reads.n++;
      return o.body ?? Buffer.alloc(0);
    },
  };
  return { input, reads };
}

describe('the gateway, before it reads a body', () => {
  it.each([
    ['no API key', { key: '' }, FaultTypes.sslAuthenticationFailed],
    ['an unknown API key', { key: 'nobody-knows-this-key-0000' }, FaultTypes.sslAuthenticationFailed],
    ['a client this gateway does not host', { client: 'VN/GOV/000.00.00.G24/MOTCUA' }, FaultTypes.unknownMember],
    ['a malformed path', { path: '/r1/VN/GOV//x' }, FaultTypes.malformedRequest],
  ])('given %s and a body, when handled, then refused without reading the body, recorded with the declared size', async (_why, o, type) => {
    const { g, recorded } = gateway();
    const { input, reads } = request({ ...o, method: 'POST', body: Buffer.alloc(5000) });
    const answer = await g.handle(input);
    expect(answer.headers['X-Road-Error']).toBe(type);
    expect(reads.n).toBe(0);
    expect(recorded).toEqual([expect.objectContaining({ type: 'TransactionRejected', stage: 'lgsp', requestSize: 5000, faultCode: type })]);
  });

  it('given a valid key, when handled, then the body is read once and its size recorded', async () => {
    const { g, recorded, sent } = gateway();
    const { input, reads } = request({ method: 'POST', body: Buffer.from('{"a":1}') });
    expect((await g.handle(input)).status).toBe(200);
    expect(reads.n).toBe(1);
    expect(sent[0].body).toBe(Buffer.from('{"a":1}').toString('base64'));
    expect(recorded).toEqual([expect.objectContaining({ type: 'TransactionAnswered', requestSize: 7 })]);
    expect(recorded[0]).not.toHaveProperty('unregisteredClient');
    expect(recorded[0]).not.toHaveProperty('unregisteredService');
  });
});

describe('the gateway’s own access check (defence in depth)', () => {
  it('given a registered client without a grant, when it calls, then AccessDenied as the hub says it, recorded at the LGSP, and the hub never asked', async () => {
    const { g, recorded, sent } = gateway();
    const answer = await g.handle(request({ client: UNGRANTED, key: KEY2 }).input);
    expect({ status: answer.status, error: answer.headers['X-Road-Error'] }).toEqual({ status: 500, error: FaultTypes.accessDenied });
    expect(JSON.parse(answer.body.toString())).toMatchObject({ message: `${UNGRANTED} has no access right to ${SERVICE_KEY}` });
    expect(sent).toHaveLength(0);
    expect(recorded[0]).toMatchObject({ type: 'TransactionRejected', stage: 'lgsp', faultCode: FaultTypes.accessDenied });
  });

  it('given a service not in the catalogue, when called, then UnknownService, and the record marks the service unregistered', async () => {
    const { g, recorded } = gateway();
    const answer = await g.handle(request({ path: `/r1/${SERVICE.provider}/made-up-1` }).input);
    expect(answer.headers['X-Road-Error']).toBe(FaultTypes.unknownService);
    expect(recorded[0]).toMatchObject({ unregisteredService: true });
    expect(recorded[0]).not.toHaveProperty('unregisteredClient');
  });

  it('given a metaservice, when called by a client without any grant, then answered (no access right needed)', async () => {
    const { g } = gateway();
    const answer = await g.handle(request({ client: UNGRANTED, key: KEY2, path: `/r1/${SERVICE.provider}/listMethods` }).input);
    expect(answer.status).toBe(200);
    expect(answer.metaservice).toBe('listMethods');
  });
});

describe('the gateway’s rate limit', () => {
  it('given 2 requests a second (bursts of 4), when a client sends 5 at once, then the fifth gets 429 RateLimited with Retry-After, recorded', async () => {
    const { g, recorded } = gateway(2);
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await g.handle(request().input));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 429]);
    expect(answers[4].headers).toMatchObject({ 'X-Road-Error': FaultTypes.rateLimited, 'retry-after': '1' });
    expect(recorded.at(-1)).toMatchObject({ type: 'TransactionRejected', stage: 'lgsp', statusCode: 429, faultCode: FaultTypes.rateLimited });
  });

  it('given one client limited, when another calls, then it passes; and 0 means no limit', async () => {
    const limited = gateway(1);
    for (let i = 0; i < 3; i++) await limited.g.handle(request().input);
    expect((await limited.g.handle(request({ client: UNGRANTED, key: KEY2, path: `/r1/${SERVICE.provider}/listMethods` }).input)).status).toBe(200);
    const free = gateway(0);
    for (let i = 0; i < 50; i++) expect((await free.g.handle(request().input)).status).toBe(200);
  });
});

describe('the gateway and Kafka’s message size', () => {
  it('given a head so large its envelope would not fit in one Kafka message, when handled, then refused with a clear error, the hub never asked', async () => {
    const { g, sent, recorded } = gateway();
    const answer = await g.handle(request({ headers: { 'x-huge': 'a'.repeat(5 * 1024 * 1024) } }).input);
    expect(answer.headers['X-Road-Error']).toBe(FaultTypes.malformedRequest);
    expect(JSON.parse(answer.body.toString()).message).toMatch(/does not fit in one message to NDXP: \d+ bytes as sent, at most \d+/);
    expect(sent).toHaveLength(0);
    expect(recorded[0]).toMatchObject({ type: 'TransactionRejected', stage: 'lgsp' });
  });
});

describe('the gateway’s metric labels', () => {
  it('given answers for registered and made-up identifiers, when labelled, then only hosted LGSPs and registered services appear', () => {
    const { g } = gateway();
    expect(g.metricLabels({ lgsp: LGSP, service: SERVICE_KEY })).toEqual({ lgsp: LGSP, service: SERVICE.serviceCode });
    expect(g.metricLabels({ lgsp: '000.00.00.G01', service: `${SERVICE.provider}/made-up-1` })).toEqual({ lgsp: 'unknown', service: 'unknown' });
    expect(g.metricLabels({ lgsp: '', service: '/r1/%zz' })).toEqual({ lgsp: 'unknown', service: 'unknown' });
  });

  it('given a made-up client subsystem of a hosted LGSP, when refused, then the record marks the client unregistered', async () => {
    const { g, recorded } = gateway();
    await g.handle(request({ client: `VN/GOV/${LGSP}/JUNK-1` }).input);
    expect(recorded[0]).toMatchObject({ client: `VN/GOV/${LGSP}/JUNK-1`, unregisteredClient: true });
  });
});

describe('X-Emulator-Fault at the gateway', () => {
  const withFault = (value: string, o: Parameters<typeof request>[0] = {}) => request({ ...o, headers: { 'x-emulator-fault': value, ...o.headers } }).input;

  it('given a test client, when it asks for latency and a status, then the provider part travels to the hub, the header does not, and the record says injected', async () => {
    const { g, recorded, sent } = gateway();
    const answer = await g.handle(withFault('latency=800ms; status=503'));
    expect(answer.status).toBe(200); // the hub stub answers 200: the provider would have answered 503
    expect(sent[0].inject).toEqual({ latencyMs: 800, status: 503 });
    expect(Object.keys(sent[0].headers)).not.toContain('x-emulator-fault');
    expect(answer.transport).toBeUndefined();
    expect(recorded).toEqual([expect.objectContaining({ type: 'TransactionAnswered', injected: 'latency=800ms;status=503' })]);
  });

  it('given fault=, when handled, then the platform answers that fault itself, the hub never asked, recorded as injected', async () => {
    const { g, recorded, sent } = gateway();
    const answer = await g.handle(withFault('fault=Server.ServerProxy.NetworkError'));
    expect({ status: answer.status, error: answer.headers['X-Road-Error'] }).toEqual({ status: 500, error: FaultTypes.networkError });
    expect(JSON.parse(answer.body.toString()).message).toMatch(/injected by X-Emulator-Fault/);
    expect(sent).toHaveLength(0);
    expect(recorded).toEqual([expect.objectContaining({ type: 'TransactionAnswered', faultCode: FaultTypes.networkError, injected: 'fault=Server.ServerProxy.NetworkError' })]);
  });

  it('given reset or slow-body, when handled, then forwarded without an injection for the provider, and the answer tells the HTTP side', async () => {
    const { g, sent } = gateway();
    expect((await g.handle(withFault('reset'))).transport).toEqual({ reset: true });
    expect((await g.handle(withFault('slow-body=2s'))).transport).toEqual({ slowBodyMs: 2000 });
    expect(sent.map((r) => r.inject)).toEqual([undefined, undefined]);
  });

  it('given junk, when handled, then refused with the malformed-request fault saying what is expected, the body unread, the hub never asked', async () => {
    const { g, recorded, sent } = gateway();
    const { input, reads } = request({ headers: { 'x-emulator-fault': 'status=9000' } });
    const answer = await g.handle(input);
    expect({ status: answer.status, error: answer.headers['X-Road-Error'] }).toEqual({ status: 500, error: FaultTypes.malformedRequest });
    expect(JSON.parse(answer.body.toString()).message).toMatch(/status=9000.*from 200 to 599/);
    expect([reads.n, sent.length]).toEqual([0, 0]);
    expect(recorded[0]).toMatchObject({ type: 'TransactionRejected', stage: 'lgsp' });
    expect(recorded[0]).not.toHaveProperty('injected');
  });

  it('given a client that is not a test client, when it sends the header, then refused (not ignored), the hub never asked', async () => {
    const { g, sent } = gateway();
    const answer = await g.handle(withFault('status=503', { client: UNGRANTED, key: KEY2 }));
    expect(answer.headers['X-Road-Error']).toBe(FaultTypes.malformedRequest);
    expect(JSON.parse(answer.body.toString()).message).toBe(`X-Emulator-Fault is honoured only for test clients, and ${UNGRANTED} is not one (see the registry's testClient)`);
    expect(sent).toHaveLength(0);
  });

  it('given an answer a provider’s fault rule injected, when answered, then recorded as injected by that rule', async () => {
    const { g, recorded } = gateway(0, { 'x-emulator-injected': 'rule r1' });
    await g.handle(request().input);
    expect(recorded[0]).toMatchObject({ type: 'TransactionAnswered', injected: 'rule r1' });
  });
});
