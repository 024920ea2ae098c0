import { INestApplication } from '@nestjs/common';
import { Consumer, Kafka, logLevel, Producer } from 'kafkajs';
import { ExchangeRequest, FaultTypes, RegistryEvent, SERVICES, serviceKeyOf, TransactionEvent } from '@ndxp/contracts';
import { dropDatabase, InfraHandle, startInfra } from '@ndxp/infra';
import { BatchingProducer, KafkaRequester, loadConfig, RequestConsumer } from '@ndxp/platform';
import { LgspConfig, lgspDefaults } from '../../apps/lgsp/src/lgsp.config';
import { isolatedEnv } from '../support/env';
import { answerAsTold, createGatewayTopics, gatewaySeed, middleSettings, publishSeed, startFakeHub, startGatewayAlone, until, waitForHub, watchTransactions } from './support';

// The middle tier: the LGSP gateway alone (gateway module, its spool
// migration, the registry view), against one real broker and a throwaway
// database. The test plays the registry (its events topic) and the NDXP hub (a
// consumer of ndxp.hub.requests that answers as told). A failure here is the
// gateway's.

const INSTANCE_ID = 'lgsp-middle-1';
const LGSP = '000.00.00.H26';
const CLIENT = `VN/GOV/${LGSP}/MOTCUA`;
const API_KEY = 'middle-tier-api-key-0123456789';
const SERVICE = SERVICES.find((s) => s.database === 'population')!;
const SERVICE_KEY = serviceKeyOf(SERVICE);
const EXCHANGE_TIMEOUT_MS = 600;

// The gateway checks access rights too (defence in depth): the service, its provider and the grant are registered.
const seed: RegistryEvent[] = [...gatewaySeed(LGSP, CLIENT, API_KEY, SERVICE)];

/** How the fake hub answers a request, by the `answer` query parameter the client sent. */
const hubAnswer = (req: ExchangeRequest) => answerAsTold(req, (query) => ({ citizen: query.get('id'), seq: ++answers }));
let answers = 0;

describe('middle tier: the lgsp gateway against a real broker and PostgreSQL', () => {
  let infra: InfraHandle | undefined;
  let app: INestApplication | undefined;
  let producer: Producer | undefined;
  let batching: BatchingProducer;
  let hub: RequestConsumer | undefined;
  let pinger: KafkaRequester | undefined;
  let watcher: Consumer | undefined;
  let base: string;
  let config: LgspConfig;
  const hubReceived: ExchangeRequest[] = [];
  const events: TransactionEvent[] = [];
  const log: string[] = [];

  const call = (query: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/r1/${SERVICE_KEY}?${query}`, { headers: { 'X-Road-Client': CLIENT, 'X-API-Key': API_KEY, ...headers } });
  const eventsOf = (id: string) => events.filter((e) => e.transactionId === id);

  beforeAll(async () => {
    const env = await isolatedEnv('middle-gateway');
    infra = await startInfra({ env, log: (l) => log.push(l), skipKafka: false });
    const kafka = new Kafka({ clientId: 'middle-gateway-test', brokers: infra.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
    await createGatewayTopics(kafka, INSTANCE_ID, 'middle-pinger');
    producer = kafka.producer();
    await producer.connect();
    batching = new BatchingProducer(producer);
    await publishSeed(producer, seed);

    watcher = await watchTransactions(kafka, 'middle-gateway', events);

    // The NDXP hub, as the gateway sees it.
    hub = await startFakeHub(kafka, batching, 'middle-gateway-hub', hubReceived, hubAnswer);
    pinger = await waitForHub(kafka, batching, 'middle-pinger', 'middle-gateway-pinger');

    config = loadConfig('lgsp', LgspConfig, {
      ...lgspDefaults,
      ...middleSettings(infra, INSTANCE_ID),
      LGSP_AGENCIES: LGSP,
      EXCHANGE_TIMEOUT_MS: String(EXCHANGE_TIMEOUT_MS),
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

  it('given a registered client with its key, when it calls a service, then the hub gets the request untouched, the client the provider answer, and TransactionAnswered 200 is recorded', async () => {
    const r = await call('id=001200000001&x=%20', { 'X-Road-Id': 'middle-ok-1', Authorization: 'Bearer eyJ.jwt.x', 'X-Trace': 't1' });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ citizen: '001200000001' });
    const id = r.headers.get('x-road-transaction-id')!;
    expect(r.headers.get('x-road-id')).toBe('middle-ok-1');
    expect(r.headers.get('x-road-client')).toBe(CLIENT);
    expect(r.headers.get('x-road-service')).toBe(SERVICE_KEY);
    expect(r.headers.get('x-road-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.headers.get('x-road-request-hash')).toHaveLength(88);
    expect(r.headers.get('etag')).toBe('"e1"');
    expect(r.headers.get('x-road-error')).toBeNull();

    const received = hubReceived.find((q) => q.transactionId === id)!;
    expect(received).toMatchObject({ client: CLIENT, service: SERVICE_KEY, lgsp: LGSP, xRoadId: 'middle-ok-1', method: 'GET', rawQuery: 'id=001200000001&x=%20', path: '' });
    expect(received.headers).toMatchObject({ authorization: 'Bearer eyJ.jwt.x', 'x-trace': 't1', 'x-road-client': CLIENT });
    expect(received.headers).not.toHaveProperty('x-api-key');
    const answered = await until('TransactionAnswered', () => eventsOf(id).find((e) => e.type === 'TransactionAnswered'));
    expect(answered).toMatchObject({ statusCode: 200, client: CLIENT, service: SERVICE_KEY, lgsp: LGSP, xRoadId: 'middle-ok-1' });
    expect(answered).not.toHaveProperty('faultCode');
  });

  it('given an unknown API key, when the client calls, then 500 SslAuthenticationFailed, refused at the LGSP, and the hub never asked', async () => {
    const r = await call('id=1', { 'X-API-Key': 'not-a-key-of-anyone-000000' });
    expect(r.status).toBe(500);
    expect(r.headers.get('x-road-error')).toBe(FaultTypes.sslAuthenticationFailed);
    const id = r.headers.get('x-road-transaction-id')!;
    const rejected = await until('TransactionRejected', () => eventsOf(id).find((e) => e.type === 'TransactionRejected'));
    expect(rejected).toMatchObject({ stage: 'lgsp', statusCode: 500, faultCode: FaultTypes.sslAuthenticationFailed, client: CLIENT });
    expect(hubReceived.map((q) => q.transactionId)).not.toContain(id);
  });

  it('given the hub refuses, when the client calls, then it gets the hub fault as X-Road-Error and TransactionAnswered carries it', async () => {
    const r = await call('id=1&answer=denied');
    expect(r.status).toBe(500);
    expect(r.headers.get('x-road-error')).toBe(FaultTypes.accessDenied);
    expect(await r.json()).toMatchObject({ type: FaultTypes.accessDenied, message: expect.stringContaining('no access right') });
    const id = r.headers.get('x-road-transaction-id')!;
    const answered = await until('TransactionAnswered', () => eventsOf(id).find((e) => e.type === 'TransactionAnswered'));
    expect(answered).toMatchObject({ statusCode: 500, faultCode: FaultTypes.accessDenied });
  });

  it('given a hub that never answers, when the deadline passes, then the client gets IOError (a read timeout) and TransactionAnswered records a timeout', async () => {
    const t0 = Date.now();
    const r = await call('id=1&answer=silence');
    const waited = Date.now() - t0;
    expect(r.status).toBe(500);
    expect(r.headers.get('x-road-error')).toBe(FaultTypes.ioError);
    expect(waited).toBeGreaterThanOrEqual(EXCHANGE_TIMEOUT_MS + 1000 - 5); // the gateway waits a little past the hub's deadline
    expect(waited).toBeLessThan(EXCHANGE_TIMEOUT_MS + 1000 + 2000);
    const id = r.headers.get('x-road-transaction-id')!;
    const answered = await until('TransactionAnswered', () => eventsOf(id).find((e) => e.type === 'TransactionAnswered'));
    expect(answered).toMatchObject({ statusCode: 500, faultCode: FaultTypes.ioError, timedOut: true });
  });

  it('given a body of any type, when forwarded, then the hub gets its bytes and content type unchanged', async () => {
    const bytes = Buffer.from('id;name\n001200000001;Nguyễn Văn A\n\u0001\xff', 'latin1');
    const r = await fetch(`${base}/r1/${SERVICE_KEY}?id=42`, {
      method: 'PUT',
      headers: { 'X-Road-Client': CLIENT, 'X-API-Key': API_KEY, 'content-type': 'text/csv; charset=iso-8859-1' },
      body: bytes,
    });
    expect(r.status).toBe(200);
    const received = hubReceived.find((q) => q.transactionId === r.headers.get('x-road-transaction-id'))!;
    expect(Buffer.from(received.body!, 'base64')).toEqual(bytes);
    expect(received).toMatchObject({ method: 'PUT', headers: { 'content-type': 'text/csv; charset=iso-8859-1' } });
  });

  it('given FAULT_CODE_STYLE=snake, when a fault is answered, then its code is X-Road 7.8’s, in the header, the body and the record', async () => {
    config.FAULT_CODE_STYLE = 'snake';
    try {
      const r = await call('id=1', { 'X-API-Key': 'not-a-key-of-anyone-000000' });
      expect([r.status, r.headers.get('x-road-error')]).toEqual([500, 'server.clientproxy.ssl_authentication_failed']);
      expect(await r.json()).toMatchObject({ type: 'server.clientproxy.ssl_authentication_failed' });
      const id = r.headers.get('x-road-transaction-id')!;
      const rejected = await until('TransactionRejected', () => eventsOf(id).find((e) => e.type === 'TransactionRejected'));
      expect(rejected).toMatchObject({ stage: 'lgsp', faultCode: 'server.clientproxy.ssl_authentication_failed' });
    } finally {
      config.FAULT_CODE_STYLE = 'camel';
    }
  });

  it('given a reused X-Road-Id, when the client sends again, then the request is forwarded again (X-Road does not cache)', async () => {
    const first = await call('id=42', { 'X-Road-Id': 'middle-xrid-1' });
    const second = await call('id=42', { 'X-Road-Id': 'middle-xrid-1' });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(((await second.json()) as { seq: number }).seq).not.toBe(((await first.json()) as { seq: number }).seq);
    expect(hubReceived.filter((q) => q.xRoadId === 'middle-xrid-1')).toHaveLength(2);
  });

  it('given an Idempotency-Key, when the same request is retried, then the first answer is replayed, the hub asked once, and the ledger links the retry', async () => {
    const first = await call('id=43', { 'Idempotency-Key': 'middle-idem-1' });
    expect(first.headers.get('x-road-id')).toMatch(/^VN-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/); // sent without one: generated
    const retry = await call('id=43', { 'Idempotency-Key': 'middle-idem-1' });
    expect(retry.status).toBe(first.status);
    expect(await retry.json()).toEqual(await first.json());
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    const retryId = retry.headers.get('x-road-transaction-id')!;
    expect(retryId).not.toBe(first.headers.get('x-road-transaction-id'));
    expect(hubReceived.filter((q) => new URLSearchParams(q.rawQuery).get('id') === '43')).toHaveLength(1);
    const answered = await until('the retry recorded', () => eventsOf(retryId).find((e) => e.type === 'TransactionAnswered'));
    expect(answered).toMatchObject({ statusCode: 200, idempotencyKey: 'middle-idem-1', replayOf: first.headers.get('x-road-transaction-id') });

    const other = await call('id=44', { 'Idempotency-Key': 'middle-idem-1' });
    expect(other.status).toBe(422);
    expect(other.headers.get('x-road-error')).toBe(FaultTypes.malformedRequest);
  });

  it('given an Idempotency-Key whose first answer was a platform fault, when retried, then the retry is forwarded (a 5xx is never replayed)', async () => {
    const first = await call('id=45&answer=denied', { 'Idempotency-Key': 'middle-idem-2' });
    const retry = await call('id=45&answer=denied', { 'Idempotency-Key': 'middle-idem-2' });
    expect([first.status, retry.status]).toEqual([500, 500]);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(hubReceived.filter((q) => new URLSearchParams(q.rawQuery).get('id') === '45')).toHaveLength(2);
  });

  it('given no API key and a body over the limit, when the client posts, then refused before the body is read, recorded with the declared size', async () => {
    const body = Buffer.alloc(3 * 1024 * 1024, 0x61);
    const r = await fetch(`${base}/r1/${SERVICE_KEY}`, { method: 'POST', headers: { 'X-Road-Client': CLIENT, 'content-type': 'text/plain' }, body });
    expect(r.status).toBe(500);
    expect(r.headers.get('x-road-error')).toBe(FaultTypes.sslAuthenticationFailed);
    const id = r.headers.get('x-road-transaction-id')!;
    const rejected = await until('TransactionRejected', () => eventsOf(id).find((e) => e.type === 'TransactionRejected'));
    expect(rejected).toMatchObject({ stage: 'lgsp', requestSize: body.length, faultCode: FaultTypes.sslAuthenticationFailed });
    expect((await call('id=after-huge')).status).toBe(200);
  });

  it('given a body of 1 MiB, when the client posts, then its envelope fits in one Kafka message and the hub gets it whole', async () => {
    const body = Buffer.alloc(1024 * 1024, 0x62);
    const r = await fetch(`${base}/r1/${SERVICE_KEY}?id=max-body`, { method: 'POST', headers: { 'X-Road-Client': CLIENT, 'X-API-Key': API_KEY }, body });
    expect(r.status).toBe(200);
    const received = hubReceived.find((q) => q.transactionId === r.headers.get('x-road-transaction-id'))!;
    expect(Buffer.from(received.body!, 'base64').equals(body)).toBe(true);
  });

  it('given a malformed percent-escape, when the client calls, then the X-Road fault (not the web framework’s 400) and a ledger row', async () => {
    const r = await fetch(`${base}/r1/${SERVICE_KEY}/%zz`, { headers: { 'X-Road-Client': CLIENT, 'X-API-Key': API_KEY } });
    expect(r.status).toBe(500);
    expect(r.headers.get('x-road-error')).toBe(FaultTypes.malformedRequest);
    const id = r.headers.get('x-road-transaction-id')!;
    expect(await until('TransactionRejected', () => eventsOf(id).find((e) => e.type === 'TransactionRejected'))).toMatchObject({ stage: 'lgsp' });
  });
});
