import { INestApplication } from '@nestjs/common';
import { Consumer, Kafka, logLevel, Producer } from 'kafkajs';
import { ExchangeRequest, FaultTypes, hashApiKey, keyIdOf, RegistryEvent, SERVICES, serviceKeyOf, Topics, TransactionEvent } from '@ndxp/contracts';
import { dropDatabase, InfraHandle, startInfra } from '@ndxp/infra';
import { BatchingProducer, KafkaRequester, loadConfig, RequestConsumer } from '@ndxp/platform';
import { LgspConfig, lgspDefaults } from '../../apps/lgsp/src/lgsp.config';
import { Har } from '../../apps/lgsp/src/journal/har';
import { isolatedEnv } from '../support/env';
import { answerAsTold, createGatewayTopics, gatewaySeed, middleSettings, publishSeed, startFakeHub, startGatewayAlone, waitForHub, watchTransactions } from './support';

// The middle tier: the request journal of one LGSP gateway (#11 item 2), the
// gateway alone against one real broker and a throwaway database, as in
// gateway.test.ts: the test plays the registry and the NDXP hub. A few calls,
// then GET /journal and /journal.har: entries, masking, and who reads what.

const INSTANCE_ID = 'lgsp-middle-journal-1';
const ADMIN_TOKEN = 'middle-tier-admin-token';
const LGSP = '000.00.00.H26';
const CLIENT = `VN/GOV/${LGSP}/MOTCUA`;
const API_KEY = 'middle-tier-api-key-0123456789';
const OTHER = `VN/GOV/${LGSP}/HOTICH`;
const OTHER_KEY = 'middle-tier-other-key-9876543210';
/** The operators of this LGSP and of another: each reads its own LGSP's entries. */
const OPERATOR_KEY = 'ndxpop_middle-tier-hanoi-operator-000000';
const OTHER_LGSP = '000.00.00.H29';
const OTHER_OPERATOR_KEY = 'ndxpop_middle-tier-hcmc-operator-0000000';
const operatorIssued = (lgsp: string, key: string): RegistryEvent => ({ type: 'OperatorCredentialIssued', lgsp, keyId: keyIdOf(hashApiKey(key)), keyHash: hashApiKey(key) });
const SERVICE = SERVICES.find((s) => s.database === 'population')!;
const SERVICE_KEY = serviceKeyOf(SERVICE);
const EXCHANGE_TIMEOUT_MS = 600;

// The gateway checks access rights too (defence in depth): the service, its provider and the grant are registered.
const seed: RegistryEvent[] = [
  ...gatewaySeed(LGSP, CLIENT, API_KEY, SERVICE),
  // A second client of the same LGSP: it must not read the first one's entries.
  { type: 'SubsystemRegistered', subsystem: OTHER, agency: LGSP, name: 'civil status', role: 'client' },
  { type: 'AccessGranted', client: OTHER, service: SERVICE_KEY },
  { type: 'CredentialIssued', client: OTHER, keyId: 'k2', keyHash: hashApiKey(OTHER_KEY) },
  { type: 'AgencyRegistered', code102: OTHER_LGSP, nameVi: 'TP. Hồ Chí Minh', nameEn: 'Ho Chi Minh City', level: 1, category: 'province', codeConfirmed: true, hasLgsp: true },
  operatorIssued(LGSP, OPERATOR_KEY),
  operatorIssued(OTHER_LGSP, OTHER_OPERATOR_KEY),
];

/** How the fake hub answers a request, by the `answer` query parameter the client sent. */
const hubAnswer = (req: ExchangeRequest) => answerAsTold(req, (query) => ({ personalId: query.get('id'), fullName: 'Nguyễn Văn An', seq: ++answers }));
let answers = 0;

describe('middle tier: the request journal of an lgsp gateway', () => {
  let infra: InfraHandle | undefined;
  let app: INestApplication | undefined;
  let producer: Producer | undefined;
  let batching: BatchingProducer;
  let hub: RequestConsumer | undefined;
  let pinger: KafkaRequester | undefined;
  let watcher: Consumer | undefined;
  let base: string;
  const hubReceived: ExchangeRequest[] = [];
  const events: TransactionEvent[] = [];
  const log: string[] = [];

  const call = (query: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/r1/${SERVICE_KEY}?${query}`, { headers: { 'X-Road-Client': CLIENT, 'X-API-Key': API_KEY, ...headers } });

  beforeAll(async () => {
    const env = await isolatedEnv('middle-journal');
    infra = await startInfra({ env, log: (l) => log.push(l), skipKafka: false });
    const kafka = new Kafka({ clientId: 'middle-journal-test', brokers: infra.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
    await createGatewayTopics(kafka, INSTANCE_ID, 'middle-journal-pinger');
    producer = kafka.producer();
    await producer.connect();
    batching = new BatchingProducer(producer);
    await publishSeed(producer, seed);

    watcher = await watchTransactions(kafka, 'middle-journal', events);

    // The NDXP hub, as the gateway sees it.
    hub = await startFakeHub(kafka, batching, 'middle-journal-hub', hubReceived, hubAnswer);
    pinger = await waitForHub(kafka, batching, 'middle-journal-pinger', 'middle-journal-pinger');

    const config = loadConfig('lgsp', LgspConfig, {
      ...lgspDefaults,
      ...middleSettings(infra, INSTANCE_ID),
      LGSP_AGENCIES: LGSP,
      EXCHANGE_TIMEOUT_MS: String(EXCHANGE_TIMEOUT_MS),
      JOURNAL_BODIES: 'masked',
      JOURNAL_MAX_ENTRIES: '100',
    });
    app = await startGatewayAlone(config);
    base = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
    await pinger?.stop().catch(() => undefined);
    await hub?.stop().catch(() => undefined);
    await watcher?.disconnect().catch(() => undefined);
    await batching?.flush().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
    await infra?.stop();
    if (infra) await dropDatabase(infra.databaseUrl);
  });

  const journal = (path: string, headers: Record<string, string>) => fetch(`${base}${path}`, { headers });
  const admin = { Authorization: `Bearer ${ADMIN_TOKEN}` };

  it('given a few calls (an answer, a body, a platform fault, a refused key, another client), when the admin exports HAR, then all are there, masked', async () => {
    const ok = await call('id=001200000001', { 'X-Road-Id': 'journal-ok-1', 'X-Road-UserId': 'VN001200000999' });
    expect(ok.status).toBe(200);
    await ok.arrayBuffer();
    const posted = await fetch(`${base}/r1/${SERVICE_KEY}?id=001200000002`, {
      method: 'POST',
      headers: { 'X-Road-Client': CLIENT, 'X-API-Key': API_KEY, 'X-Road-Id': 'journal-post-1', 'content-type': 'application/json' },
      body: JSON.stringify({ personalId: '001200000777', fullName: 'Trần Thị Bình', purpose: 'kiểm tra' }),
    });
    await posted.arrayBuffer();
    const denied = await call('id=1&answer=denied', { 'X-Road-Id': 'journal-denied-1' });
    expect(denied.headers.get('x-road-error')).toBe(FaultTypes.accessDenied);
    await denied.arrayBuffer();
    const refused = await call('id=1', { 'X-API-Key': 'not-a-key-of-anyone-000000', 'X-Road-Id': 'journal-refused-1' });
    expect(refused.headers.get('x-road-error')).toBe(FaultTypes.sslAuthenticationFailed);
    await refused.arrayBuffer();
    const other = await fetch(`${base}/r1/${SERVICE_KEY}?id=001200000003`, { headers: { 'X-Road-Client': OTHER, 'X-API-Key': OTHER_KEY, 'X-Road-Id': 'journal-other-1' } });
    expect(other.status).toBe(200);
    await other.arrayBuffer();

    const r = await journal('/journal.har', admin);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    const har = (await r.json()) as Har;
    expect(har.log).toMatchObject({ version: '1.2', creator: { name: 'ndxp-emulator' }, _dropped: 0, _bodies: 'masked' });
    const byId = (id: string) => har.log.entries.find((e) => e._xRoad.xRoadId === id)!;
    for (const e of har.log.entries) {
      expect(e).toEqual(
        expect.objectContaining({ startedDateTime: expect.any(String), time: expect.any(Number), cache: {}, timings: expect.objectContaining({ send: expect.any(Number) }) }),
      );
      expect(e.request).toEqual(
        expect.objectContaining({ method: expect.any(String), url: expect.stringMatching(/^http:\/\//), httpVersion: 'HTTP/1.1', queryString: expect.arrayContaining([]) }),
      );
      expect(e.response).toEqual(
        expect.objectContaining({ status: expect.any(Number), statusText: expect.any(String), content: expect.objectContaining({ size: expect.any(Number) }) }),
      );
    }

    const okEntry = byId('journal-ok-1');
    expect(okEntry._xRoad).toMatchObject({ client: CLIENT, service: SERVICE_KEY, outcome: 'answered', transactionId: ok.headers.get('x-road-transaction-id') });
    expect(okEntry.request.url).toContain('id=*********001');
    expect(okEntry.request.url).not.toContain('001200000001');
    expect(okEntry.request.headers).toContainEqual({ name: 'X-API-Key', value: `${'*'.repeat(API_KEY.length - 3)}${API_KEY.slice(-3)}` });
    expect(okEntry.request.headers).toContainEqual({ name: 'X-Road-UserId', value: '***********999' });
    expect(JSON.parse(okEntry.response.content.text!)).toMatchObject({ personalId: '*********001', fullName: '********** An' });

    const postEntry = byId('journal-post-1');
    expect(postEntry.request.postData!.mimeType).toBe('application/json');
    expect(JSON.parse(postEntry.request.postData!.text)).toEqual({ personalId: '*********777', fullName: '**********ình', purpose: 'kiểm tra' });

    expect(byId('journal-denied-1')._xRoad).toMatchObject({ outcome: 'fault', faultCode: FaultTypes.accessDenied });
    expect(byId('journal-refused-1')._xRoad).toMatchObject({ outcome: 'fault', faultCode: FaultTypes.sslAuthenticationFailed });
    expect(byId('journal-refused-1')._xRoad).not.toHaveProperty('owner');
    expect(byId('journal-other-1')._xRoad).toMatchObject({ client: OTHER, owner: OTHER });
    expect(JSON.stringify(har)).not.toContain(API_KEY);
    expect(JSON.stringify(har)).not.toContain('Nguyễn Văn An');
  });

  it('given the filters, when the admin lists the journal, then only the matching entries come back', async () => {
    const list = async (q: string) => ((await (await journal(`/journal?${q}`, admin)).json()) as { items: Array<{ xRoadId?: string }> }).items.map((e) => e.xRoadId);
    expect(await list('xRoadId=journal-ok-1')).toEqual(['journal-ok-1']);
    expect(await list(`client=${encodeURIComponent(OTHER)}`)).toEqual(['journal-other-1']);
    expect(await list('outcome=fault')).toEqual(['journal-denied-1', 'journal-refused-1']);
    expect(await list(`outcome=${FaultTypes.accessDenied}`)).toEqual(['journal-denied-1']);
    expect(await list(`service=${encodeURIComponent(SERVICE_KEY)}&limit=1`)).toEqual(['journal-other-1']);
    expect(await list(`from=${Date.now() + 60_000}`)).toEqual([]);
    expect((await journal('/journal?from=yesterday', admin)).status).toBe(400);
  });

  it("given a client's key, when it reads the journal, then it sees only the requests it sent with its own credential; no credential gets 401", async () => {
    const mine = (await (await journal('/journal.har', { 'X-API-Key': API_KEY })).json()) as Har;
    const ids = mine.log.entries.map((e) => e._xRoad.xRoadId);
    expect(ids).toEqual(expect.arrayContaining(['journal-ok-1', 'journal-post-1', 'journal-denied-1']));
    expect(ids).not.toContain('journal-other-1');
    expect(ids).not.toContain('journal-refused-1'); // its key did not check out: the admin's only
    const theirs = (await (await journal('/journal', { 'X-API-Key': OTHER_KEY })).json()) as { items: Array<{ xRoadId?: string }> };
    expect(theirs.items.map((e) => e.xRoadId)).toEqual(['journal-other-1']);
    // Asking for another client's entries by filter gives nothing more.
    const asked = (await (await journal(`/journal?client=${encodeURIComponent(CLIENT)}`, { 'X-API-Key': OTHER_KEY })).json()) as { items: unknown[] };
    expect(asked.items).toEqual([]);
    const none = await journal('/journal.har', {});
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ code: 'CREDENTIAL_REQUIRED' });
    expect((await journal('/journal', { 'X-API-Key': 'not-a-key-of-anyone-000000' })).status).toBe(401);
  });

  it("given an LGSP operator's key, when it reads the journal, then every entry of its LGSP (each client's, a refused key's too), masked; another LGSP's operator sees none", async () => {
    const har = (await (await journal('/journal.har', { 'X-API-Key': OPERATOR_KEY })).json()) as Har;
    const ids = har.log.entries.map((e) => e._xRoad.xRoadId);
    expect(ids).toEqual(expect.arrayContaining(['journal-ok-1', 'journal-post-1', 'journal-denied-1', 'journal-refused-1', 'journal-other-1']));
    for (const e of har.log.entries) expect(e._xRoad.lgsp).toBe(LGSP);
    expect(JSON.stringify(har)).not.toMatch(/001200000001|Nguyễn Văn An|VN001200000999/);
    const theirs = (await (await journal('/journal', { Authorization: `Bearer ${OTHER_OPERATOR_KEY}` })).json()) as { items: unknown[] };
    expect(theirs.items).toEqual([]);
    const asked = (await (await journal(`/journal?lgsp=${LGSP}`, { Authorization: `Bearer ${OTHER_OPERATOR_KEY}` })).json()) as { items: unknown[] };
    expect(asked.items).toEqual([]);
    const byAdmin = async (lgsp: string) => ((await (await journal(`/journal?lgsp=${lgsp}`, admin)).json()) as { items: unknown[] }).items.length;
    expect(await byAdmin(LGSP)).toBe(ids.length);
    expect(await byAdmin(OTHER_LGSP)).toBe(0);
    // an operator speaks for no client subsystem
    expect((await journal('/journal', { 'X-API-Key': OPERATOR_KEY, 'X-Road-Client': CLIENT })).status).toBe(401);
  });

  it("given the operator's key revoked in the registry, when it reads the journal, then 401 with the reason (within a few seconds)", async () => {
    const keyId = keyIdOf(hashApiKey(OPERATOR_KEY));
    const revoked: RegistryEvent = { type: 'OperatorCredentialRevoked', lgsp: LGSP, keyId };
    const envelope = { globalPosition: seed.length + 1, streamId: `operator-${LGSP}`, streamVersion: 1, recordedAt: new Date().toISOString(), event: revoked };
    await producer!.send({ topic: Topics.registryEvents, messages: [{ value: JSON.stringify(envelope) }] });
    let status = 200;
    for (const deadline = Date.now() + 5000; status === 200 && Date.now() < deadline;) {
      const r = await journal('/journal', { 'X-API-Key': OPERATOR_KEY });
      status = r.status;
      if (status === 401)
        expect(await r.json()).toMatchObject({ code: 'CREDENTIAL_REFUSED', message: expect.stringContaining(`operator key ${keyId} of LGSP ${LGSP} has been revoked`) });
      else await r.arrayBuffer().then(() => new Promise((resolve) => setTimeout(resolve, 100)));
    }
    expect(status).toBe(401);
  });
});
