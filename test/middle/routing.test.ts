import { Global, INestApplication, LoggerService, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'crypto';
import { Consumer, Kafka, logLevel, Producer } from 'kafkajs';
import {
  EXCHANGE_OPERATION,
  ExchangeRequest,
  ExchangeResponse,
  FaultTypes,
  HOT_TOPIC_PARTITIONS,
  LgspKeyring,
  PING_OPERATION,
  PingReply,
  PingRequest,
  ProviderRequest,
  PROVIDERS,
  ProviderResponse,
  RegistryEvent,
  RegistryEventEnvelope,
  SERVICES,
  serviceKeyOf,
  signingKey,
  SigningKey,
  Topics,
  TransactionEvent,
} from '@ndxp/contracts';
import { dropDatabase, InfraHandle, startInfra } from '@ndxp/infra';
import { BatchingProducer, createTopics, KafkaRequester, KafkaResponder, loadConfig, PlatformModule, RegistryViewModule, RequestTimeoutError } from '@ndxp/platform';
import { NdxpConfig } from '../../apps/ndxp/src/ndxp.config';
import { NdxpMetricsService } from '../../apps/ndxp/src/observability/ndxp-metrics.service';
import { RoutingModule } from '../../apps/ndxp/src/routing/routing.module';
import { isolatedEnv } from '../support/env';
import { middleSettings, serviceRegistered, until, watchTransactions } from './support';

// The middle tier: NDXP's hub alone (routing module and the registry view it
// decides with), against one real broker. The test plays the other parts over
// Kafka: the registry (its events topic), an LGSP (requests on
// ndxp.hub.requests, replies on its own topic) and a national database (a
// responder on its request topic). No ledger, no gateway, no registry app: a
// failure here is the hub's routing. The fake LGSP signs each request with the
// key of the LGSP it names, derived from PLATFORM_SIGNING_KEY, as a gateway
// does, and the fake database checks the hub's signature
// (PROVIDER_SIGNING_KEY), as the real ones do.

const PLATFORM_KEY = 'middle-routing-platform-signing-key-0123456789';
const PROVIDER_KEY = 'middle-routing-provider-signing-key-0123456789';
/** Every LGSP's key, as the hub derives them. */
const lgspKeys = LgspKeyring.derivedFrom(PLATFORM_KEY);
const keyOf = (lgsp: string): SigningKey => lgspKeys.keyFor(lgsp)!;

/** What the hub warns of, kept (errors still printed). */
const warnings: string[] = [];
const capturingLogger: LoggerService = {
  log: () => undefined,
  warn: (message: unknown) => void warnings.push(String(message)),
  error: (message: unknown, ...rest: unknown[]) => console.error(message, ...rest),
};

let hubConfig: NdxpConfig;
@Global()
@Module({ providers: [NdxpMetricsService, { provide: NdxpConfig, useFactory: () => hubConfig }], exports: [NdxpMetricsService, NdxpConfig] })
class HubDependencies {}

const INSTANCE_ID = 'ndxp-middle-1';
const LGSP_INSTANCE = 'lgsp-middle-1';
const SERVICE = SERVICES.find((s) => s.database === 'population')!;
const SERVICE_KEY = serviceKeyOf(SERVICE);
const LGSP = '000.00.00.H26';
/** Another LGSP: its members' requests must come from it. */
const OTHER_LGSP = '000.00.00.H29';
const AGENCY = '000.00.00.G01';
/** Registered, with a grant to SERVICE. */
const GRANTED = `VN/GOV/${LGSP}/MOTCUA`;
/** Registered, no grant. */
const UNGRANTED = `VN/GOV/${LGSP}/KHAC`;

const seed: RegistryEvent[] = [
  { type: 'AgencyRegistered', code102: LGSP, nameVi: 'Hà Nội', nameEn: 'Ha Noi', level: 1, category: 'province', codeConfirmed: true, hasLgsp: true },
  { type: 'AgencyRegistered', code102: OTHER_LGSP, nameVi: 'TP. Hồ Chí Minh', nameEn: 'Ho Chi Minh City', level: 1, category: 'province', codeConfirmed: true, hasLgsp: true },
  { type: 'AgencyRegistered', code102: AGENCY, nameVi: 'Bộ Công an', nameEn: 'Ministry of Public Security', level: 1, category: 'ministry', codeConfirmed: true, hasLgsp: false },
  { type: 'SubsystemRegistered', subsystem: SERVICE.provider, agency: AGENCY, name: 'population database', role: 'provider' },
  serviceRegistered(SERVICE),
  { type: 'SubsystemRegistered', subsystem: GRANTED, agency: LGSP, name: 'one-stop shop', role: 'client' },
  { type: 'SubsystemRegistered', subsystem: UNGRANTED, agency: LGSP, name: 'another system', role: 'client' },
  { type: 'AccessGranted', client: GRANTED, service: SERVICE_KEY },
];

function envelope(event: RegistryEvent, globalPosition: number): RegistryEventEnvelope {
  return { globalPosition, streamId: `seed-${globalPosition}`, streamVersion: 0, recordedAt: new Date().toISOString(), event };
}

function exchangeRequest(client: string, service: string, deadlineMs = 5000): ExchangeRequest {
  const now = Date.now();
  return {
    transactionId: randomUUID(),
    xRoadId: randomUUID(),
    requestId: randomUUID(),
    lgsp: LGSP,
    client,
    service,
    method: 'GET',
    path: '/001200000001',
    rawQuery: 'a=%20b',
    headers: { authorization: 'Bearer jwt', 'x-road-client': client },
    requestSize: 42,
    requestInAt: now,
    deadlineAt: now + deadlineMs,
  };
}

describe('middle tier: the ndxp hub routing against a real broker', () => {
  let infra: InfraHandle | undefined;
  let app: INestApplication | undefined;
  let producer: Producer | undefined;
  let batching: BatchingProducer;
  let lgsp: KafkaRequester | undefined;
  /** Not gateways: one that does not sign, one that signs with a key of its own, one with a reply topic of no LGSP. */
  let unsigned: KafkaRequester | undefined;
  /** A gateway of LGSP (it holds that LGSP's key only) that claims OTHER_LGSP. */
  let impostor: KafkaRequester | undefined;
  let forger: KafkaRequester | undefined;
  let rogue: KafkaRequester | undefined;
  /** What the database found of each call's signature. */
  const providerSignatures = new Map<string, string | undefined>();
  let provider: KafkaResponder | undefined;
  let watcher: Consumer | undefined;
  const events: TransactionEvent[] = [];
  const records: Array<{ transactionId: string; types: string[] }> = [];
  const providerCalls: ProviderRequest[] = [];
  let position = 0;
  const log: string[] = [];

  const publishRegistry = async (...es: RegistryEvent[]) => {
    await producer!.send({ topic: Topics.registryEvents, messages: es.map((e) => ({ value: JSON.stringify(envelope(e, ++position)) })) });
  };
  const exchange = (req: ExchangeRequest) =>
    lgsp!.request<ExchangeRequest, ExchangeResponse>(Topics.hubRequests, EXCHANGE_OPERATION, req, 10_000, { key: req.transactionId, signingKey: keyOf(req.lgsp) });
  const eventsOf = (id: string) => events.filter((e) => e.transactionId === id);

  beforeAll(async () => {
    const env = await isolatedEnv('middle-routing');
    infra = await startInfra({ env, log: (l) => log.push(l), skipKafka: false });
    const kafka = new Kafka({ clientId: 'middle-routing-test', brokers: infra.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
    await createTopics(kafka, [
      { topic: Topics.registryEvents, numPartitions: 1 },
      { topic: Topics.transactions, numPartitions: HOT_TOPIC_PARTITIONS },
      { topic: Topics.hubRequests, numPartitions: HOT_TOPIC_PARTITIONS },
      ...Object.keys(PROVIDERS).map((d) => ({ topic: Topics.providerRequests(d), numPartitions: HOT_TOPIC_PARTITIONS })),
      // The hub's own reply topic too, as a running stack has it. (Its KafkaRequester used to list the topic's
      // offsets right after creating it, which the broker could refuse, "not the leader"; it no longer does.)
      { topic: Topics.hubReplies(INSTANCE_ID), numPartitions: 3 },
      { topic: Topics.lgspReplies(LGSP_INSTANCE), numPartitions: 1 },
      { topic: Topics.lgspReplies('lgsp-middle-impostor'), numPartitions: 1 },
    ]);
    producer = kafka.producer();
    await producer.connect();
    batching = new BatchingProducer(producer);
    // The registry as the hub finds it at start.
    await publishRegistry(...seed);

    // What the hub records, read as the projector would.
    watcher = await watchTransactions(kafka, 'middle-routing', events, records);

    // The population database: answers every call.
    provider = new KafkaResponder(
      kafka,
      batching,
      { topic: Topics.providerRequests(SERVICE.database), numPartitions: HOT_TOPIC_PARTITIONS },
      'middle-routing-provider',
      async (_op, body, inbound) => {
        const call = body as ProviderRequest;
        providerSignatures.set(call.transactionId, inbound.signature);
        if (inbound.signature !== 'valid') {
          const at = Date.now();
          return {
            transactionId: call.transactionId,
            status: 500,
            fault: { type: FaultTypes.missingSignature, status: 500, message: 'not signed by the hub' },
            providerInAt: at,
            providerOutAt: at,
          };
        }
        providerCalls.push(call);
        const at = Date.now();
        const answer = Buffer.from(JSON.stringify({ citizen: call.path.slice(1) })).toString('base64');
        return {
          transactionId: call.transactionId,
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: answer,
          providerInAt: at,
          providerOutAt: at + 1,
        } satisfies ProviderResponse;
      },
      { verifyKey: signingKey(PROVIDER_KEY) },
    );
    await provider.start();

    const config = loadConfig('ndxp', NdxpConfig, { ...middleSettings(infra, INSTANCE_ID), PLATFORM_SIGNING_KEY: PLATFORM_KEY, PROVIDER_SIGNING_KEY: PROVIDER_KEY });
    hubConfig = config;
    const moduleRef = await Test.createTestingModule({
      imports: [PlatformModule.forApp({ app: 'ndxp', config, schema: 'ndxp' }), HubDependencies, RegistryViewModule, RoutingModule],
    }).compile();
    app = moduleRef.createNestApplication({ logger: capturingLogger });
    await app.init();

    // An LGSP process: its own reply topic. Pinged until the hub's consumer has its partitions.
    lgsp = new KafkaRequester(kafka, batching, Topics.lgspReplies(LGSP_INSTANCE), 'middle-routing-lgsp', { signingKey: keyOf(LGSP) });
    await lgsp.start([{ topic: Topics.hubRequests, numPartitions: HOT_TOPIC_PARTITIONS }]);
    unsigned = new KafkaRequester(kafka, batching, Topics.lgspReplies('lgsp-middle-unsigned'), 'middle-routing-unsigned');
    forger = new KafkaRequester(kafka, batching, Topics.lgspReplies('lgsp-middle-forger'), 'middle-routing-forger', {
      signingKey: signingKey('a-key-that-is-not-the-platform-key-0123456789'),
    });
    rogue = new KafkaRequester(kafka, batching, 'middle-routing-rogue-replies', 'middle-routing-rogue');
    impostor = new KafkaRequester(kafka, batching, Topics.lgspReplies('lgsp-middle-impostor'), 'middle-routing-impostor', { signingKey: keyOf(LGSP) });
    for (const r of [unsigned, forger, rogue, impostor]) await r.start([{ topic: Topics.hubRequests, numPartitions: HOT_TOPIC_PARTITIONS }]);
    for (let i = 0; ; i++) {
      try {
        await lgsp.request<PingRequest, PingReply>(Topics.hubRequests, PING_OPERATION, { fromInstance: LGSP_INSTANCE, lgsp: LGSP, sentAt: new Date().toISOString() }, 2000);
        break;
      } catch (e) {
        if (i >= 10) throw e;
      }
    }
  });

  afterAll(async () => {
    for (const r of [lgsp, unsigned, forger, rogue, impostor]) await r?.stop().catch(() => undefined);
    await app?.close();
    await provider?.stop().catch(() => undefined);
    await watcher?.disconnect().catch(() => undefined);
    await batching?.flush().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
    await infra?.stop();
    if (infra) await dropDatabase(infra.databaseUrl);
  });

  it('given a registered client without a grant, when it asks for a service, then the hub answers 500 Server.ServerProxy.AccessDenied and records TransactionRejected at stage hub', async () => {
    const req = exchangeRequest(UNGRANTED, SERVICE_KEY);
    const reply = await exchange(req);

    expect(reply).toMatchObject({ transactionId: req.transactionId, status: 500, fault: { type: FaultTypes.accessDenied, status: 500 }, responseSize: 0 });
    expect(reply.fault!.message).toContain('no access right');
    const rejected = await until('TransactionRejected', () => eventsOf(req.transactionId).find((e) => e.type === 'TransactionRejected'));
    expect(rejected).toMatchObject({
      stage: 'hub',
      statusCode: 500,
      faultCode: FaultTypes.accessDenied,
      client: UNGRANTED,
      service: SERVICE_KEY,
      provider: SERVICE.provider,
      xRoadId: req.xRoadId,
      lgsp: LGSP,
      requestInAt: req.requestInAt,
    });
    expect(providerCalls.map((c) => c.transactionId)).not.toContain(req.transactionId);
    await new Promise((r) => setTimeout(r, 300)); // nothing else follows a refusal
    expect(eventsOf(req.transactionId).map((e) => e.type)).toEqual(['TransactionRejected']);
  });

  it('given a service not in the catalogue, when a client asks for it, then the hub answers Server.ServerProxy.UnknownService, refused at the hub', async () => {
    const req = exchangeRequest(GRANTED, `${SERVICE.provider}/no-such-service`);
    const reply = await exchange(req);

    expect(reply).toMatchObject({ status: 500, fault: { type: FaultTypes.unknownService } });
    const rejected = await until('TransactionRejected', () => eventsOf(req.transactionId).find((e) => e.type === 'TransactionRejected'));
    expect(rejected).toMatchObject({ stage: 'hub', statusCode: 500, faultCode: FaultTypes.unknownService });
  });

  it('given a granted client, when it asks, then the hub routes to the database and answers with its body, recording Requested, Routed, Responded, Completed in two records', async () => {
    const req = exchangeRequest(GRANTED, SERVICE_KEY);
    const reply = await exchange(req);

    expect(reply).toMatchObject({ transactionId: req.transactionId, status: 200, headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(Buffer.from(reply.body!, 'base64').toString())).toEqual({ citizen: '001200000001' });
    expect(reply.fault).toBeUndefined();
    expect(providerCalls.find((c) => c.transactionId === req.transactionId)).toMatchObject({
      client: GRANTED,
      service: SERVICE_KEY,
      serviceCode: SERVICE.serviceCode,
      path: '/001200000001',
      rawQuery: 'a=%20b',
      headers: { authorization: 'Bearer jwt' },
    });
    await until('TransactionCompleted', () => eventsOf(req.transactionId).find((e) => e.type === 'TransactionCompleted'));
    expect(eventsOf(req.transactionId).map((e) => e.type)).toEqual(['TransactionRequested', 'TransactionRouted', 'TransactionResponded', 'TransactionCompleted']);
    // One record per step: the request with its routing, the database's answer with the completion.
    expect(records.filter((r) => r.transactionId === req.transactionId).map((r) => r.types)).toEqual([
      ['TransactionRequested', 'TransactionRouted'],
      ['TransactionResponded', 'TransactionCompleted'],
    ]);
    // The database found the hub's signature on the call.
    expect(providerSignatures.get(req.transactionId)).toBe('valid');
  });

  /** Sends as `who`, expects the hub's refusal with `faultType`, recorded as TransactionRejected at the hub, and no call to the database. */
  async function expectRefusedAtHub(who: KafkaRequester, req: ExchangeRequest, faultType: string, message: RegExp, signing?: SigningKey): Promise<void> {
    const reply = await who.request<ExchangeRequest, ExchangeResponse>(Topics.hubRequests, EXCHANGE_OPERATION, req, 10_000, { key: req.transactionId, signingKey: signing });
    expect(reply).toMatchObject({ transactionId: req.transactionId, status: 500, fault: { type: faultType, status: 500 }, responseSize: 0 });
    expect(reply.fault!.message).toMatch(message);
    const rejected = await until('TransactionRejected', () => eventsOf(req.transactionId).find((e) => e.type === 'TransactionRejected'));
    expect(rejected).toMatchObject({ stage: 'hub', statusCode: 500, faultCode: faultType, client: req.client, lgsp: req.lgsp });
    await new Promise((r) => setTimeout(r, 300)); // nothing else follows a refusal
    expect(eventsOf(req.transactionId).map((e) => e.type)).toEqual(['TransactionRejected']);
    expect(providerSignatures.has(req.transactionId)).toBe(false);
  }

  it('given a granted request that no gateway signed, when it reaches the hub, then it is refused as Server.ServerProxy.MissingSignature and never routed', async () => {
    await expectRefusedAtHub(unsigned!, exchangeRequest(GRANTED, SERVICE_KEY), FaultTypes.missingSignature, /not signed.*PLATFORM_SIGNING_KEY/);
  });

  it('given a granted request signed with another key, when it reaches the hub, then it is refused as Server.ServerProxy.InvalidSignatureValue', async () => {
    await expectRefusedAtHub(forger!, exchangeRequest(GRANTED, SERVICE_KEY), FaultTypes.invalidSignature, /does not verify/);
  });

  it('given a request signed with the platform key itself (a gateway signing the old way), when it reaches the hub, then it is refused: it verifies as no LGSP', async () => {
    await expectRefusedAtHub(lgsp!, exchangeRequest(GRANTED, SERVICE_KEY), FaultTypes.invalidSignature, /does not verify with the key of LGSP/, signingKey(PLATFORM_KEY));
  });

  it("given a gateway holding one LGSP's key, when it sends a request whose lgsp field names another LGSP, then the hub refuses it as InvalidSignatureValue, records it so, and warns naming that LGSP", async () => {
    const req = { ...exchangeRequest(`VN/GOV/${OTHER_LGSP}/MOTCUA`, SERVICE_KEY), lgsp: OTHER_LGSP };
    const other = OTHER_LGSP.replace(/\./g, '\\.');
    await expectRefusedAtHub(impostor!, req, FaultTypes.invalidSignature, new RegExp(`does not verify with the key of LGSP ${other}, which the request names`));
    expect(warnings.find((w) => w.includes(`naming LGSP ${OTHER_LGSP}, not signed with its key`))).toMatch(/the latest: bad-signature/);
    // The same gateway, for its own LGSP, is heard.
    const own = exchangeRequest(GRANTED, SERVICE_KEY);
    expect(await impostor!.request<ExchangeRequest, ExchangeResponse>(Topics.hubRequests, EXCHANGE_OPERATION, own, 10_000, { key: own.transactionId })).toMatchObject({
      status: 200,
    });
  });

  it('given a signed request for a client of another LGSP, when it reaches the hub, then it is refused as Server.ServerProxy.SslAuthenticationFailed', async () => {
    const req = { ...exchangeRequest(`VN/GOV/${OTHER_LGSP}/MOTCUA`, SERVICE_KEY), lgsp: LGSP };
    await expectRefusedAtHub(lgsp!, req, FaultTypes.originNotAuthenticated, new RegExp(`not a member of LGSP ${LGSP.replace(/\./g, '\\.')}`));
  });

  it('given a signed request naming an agency without an LGSP as its LGSP, when it reaches the hub, then it is refused as SslAuthenticationFailed', async () => {
    const req = { ...exchangeRequest(`VN/GOV/${AGENCY}/NOI-BO`, SERVICE_KEY), lgsp: AGENCY };
    await expectRefusedAtHub(lgsp!, req, FaultTypes.originNotAuthenticated, /as no LGSP/, keyOf(AGENCY));
  });

  it('given an unsigned request with a reply topic of no LGSP, when it reaches the hub, then it is refused and recorded, and nothing written there', async () => {
    const req = exchangeRequest(GRANTED, SERVICE_KEY);
    await expect(rogue!.request(Topics.hubRequests, EXCHANGE_OPERATION, req, 2000, { key: req.transactionId })).rejects.toBeInstanceOf(RequestTimeoutError);
    const rejected = await until('TransactionRejected', () => eventsOf(req.transactionId).find((e) => e.type === 'TransactionRejected'));
    expect(rejected).toMatchObject({ stage: 'hub', faultCode: FaultTypes.missingSignature });
    expect(providerSignatures.has(req.transactionId)).toBe(false);
  });

  it('given an unsigned ping, when it reaches the hub, then the answer is the refusal, not the hub instance', async () => {
    const reply = await unsigned!.request<PingRequest, Record<string, unknown>>(
      Topics.hubRequests,
      PING_OPERATION,
      { fromInstance: 'x', sentAt: new Date().toISOString() },
      10_000,
    );
    expect(reply).toMatchObject({ fault: { type: FaultTypes.missingSignature } });
    expect(reply.hub).toBeUndefined();
  });

  it('given the ungranted client, when the registry publishes its grant, then its next request is routed; after a revoke it is refused again', async () => {
    await publishRegistry({ type: 'AccessGranted', client: UNGRANTED, service: SERVICE_KEY });
    // The view folds the topic live: well under a second (allow a few for a loaded machine).
    let reply: ExchangeResponse | undefined;
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      reply = await exchange(exchangeRequest(UNGRANTED, SERVICE_KEY));
      if (reply.status === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(reply).toMatchObject({ status: 200 });

    await publishRegistry({ type: 'AccessRevoked', client: UNGRANTED, service: SERVICE_KEY });
    const revokedBy = Date.now() + 5000;
    while (Date.now() < revokedBy) {
      reply = await exchange(exchangeRequest(UNGRANTED, SERVICE_KEY));
      if (reply.status !== 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(reply).toMatchObject({ status: 500, fault: { type: FaultTypes.accessDenied } });
  });
});
