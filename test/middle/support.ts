import { Global, INestApplication, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'crypto';
import { Consumer, Kafka, Producer } from 'kafkajs';
import {
  CatalogueService,
  ExchangeRequest,
  ExchangeResponse,
  fault,
  FaultTypes,
  hashApiKey,
  HOT_TOPIC_PARTITIONS,
  PING_OPERATION,
  PingReply,
  parseTransactionRecord,
  PingRequest,
  RegistryEvent,
  serviceKeyOf,
  Topics,
  TransactionEvent,
} from '@ndxp/contracts';
import { InfraHandle } from '@ndxp/infra';
import { acceptTls, BatchingProducer, createTopics, InboundRequest, KafkaRequester, PlatformModule, RegistryViewModule, RequestConsumer, sendReply } from '@ndxp/platform';
import { GatewayModule } from '../../apps/lgsp/src/gateway/gateway.module';
import { serveGatewayPaths } from '../../apps/lgsp/src/gateway/gateway-http';
import { lgspTlsOptions } from '../../apps/lgsp/src/gateway/tls-auth';
import { LgspConfig } from '../../apps/lgsp/src/lgsp.config';
import { EventSpool1764460000000 } from '../../apps/lgsp/src/migrations/1764460000000-event-spool';

/** The settings every app reads, pointed at this file's broker and database (the rest as the app would default). */
export function middleSettings(infra: InfraHandle, instance: string, adminToken = 'middle-tier-admin-token'): Record<string, string> {
  return {
    PORT: '1',
    HOST: '127.0.0.1',
    KAFKA_BROKERS: infra.kafkaBrokers,
    DATABASE_URL: infra.databaseUrl,
    LOG_LEVEL: 'warn',
    INSTANCE_ID: instance,
    ADMIN_TOKEN: adminToken,
    KAFKA_SESSION_TIMEOUT_MS: infra.appDefaults.KAFKA_SESSION_TIMEOUT_MS ?? '6000',
  };
}

/** Collects every transaction event from the start of the topic into `into` (and each record's event types into `records`); disconnect it in afterAll. */
export async function watchTransactions(kafka: Kafka, name: string, into: TransactionEvent[], records?: Array<{ transactionId: string; types: string[] }>): Promise<Consumer> {
  const watcher = kafka.consumer({ groupId: `${name}-watch-${randomUUID().slice(0, 8)}`, maxWaitTimeInMs: 100 });
  await watcher.connect();
  await watcher.subscribe({ topic: Topics.transactions, fromBeginning: true });
  await watcher.run({
    eachMessage: async ({ message }) => {
      // What the projector reads; a record it could not read shows as missing events.
      const read = parseTransactionRecord(message.value!.toString());
      if (!read.ok) return;
      into.push(...read.value);
      records?.push({ transactionId: read.value[0].transactionId, types: read.value.map((e) => e.type) });
    },
  });
  return watcher;
}

/** Polls `f` every 50 ms until it gives something, or throws after `timeoutMs`. */
export async function until<T>(what: string, f: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The ServiceRegistered event of a catalogue service. */
export function serviceRegistered(service: CatalogueService, description = 'citizen lookup'): RegistryEvent {
  const { provider, serviceCode, version, method, database } = service;
  return { type: 'ServiceRegistered', service: serviceKeyOf(service), provider, serviceCode, version, method, database, description };
}

/** Publishes `seed` on the registry's events topic, at global positions 1, 2, … as the registry would. */
export async function publishSeed(producer: Producer, seed: RegistryEvent[]): Promise<void> {
  await producer.send({
    topic: Topics.registryEvents,
    messages: seed.map((event, i) => ({
      value: JSON.stringify({ globalPosition: i + 1, streamId: `seed-${i}`, streamVersion: 0, recordedAt: new Date().toISOString(), event }),
    })),
  });
}

/** A 200 answer of the fake hub to `req`, its body `value` as JSON. */
export function jsonAnswer(req: ExchangeRequest, value: unknown, headers: Record<string, string> = {}): ExchangeResponse {
  const body = Buffer.from(JSON.stringify(value));
  return {
    transactionId: req.transactionId,
    status: 200,
    headers: { 'content-type': 'application/json', ...headers },
    body: body.toString('base64'),
    responseSize: body.length,
  };
}

/**
 * The NDXP hub, as a gateway sees it: a consumer of ndxp.hub.requests (group `groupId`) that answers pings, keeps every
 * exchange request in `received` and replies with what `answer` gives (nothing for undefined). Stop it in afterAll.
 */
export async function startFakeHub(
  kafka: Kafka,
  batching: BatchingProducer,
  groupId: string,
  received: ExchangeRequest[],
  answer: (req: ExchangeRequest) => ExchangeResponse | undefined,
): Promise<RequestConsumer> {
  const hub = new RequestConsumer(kafka, { topic: Topics.hubRequests, numPartitions: HOT_TOPIC_PARTITIONS }, groupId, async (reqs: InboundRequest[]) => {
    for (const inbound of reqs) {
      if (inbound.operation === PING_OPERATION) {
        await sendReply(batching, inbound, { hub: 'fake-hub', receivedAt: new Date().toISOString() } satisfies PingReply);
        continue;
      }
      const req = inbound.body as ExchangeRequest;
      received.push(req);
      const reply = answer(req);
      if (reply) await sendReply(batching, inbound, reply);
    }
  });
  await hub.start();
  return hub;
}

/**
 * Pings the hub until it answers (its group has its partitions and their offsets), from a requester replied to on
 * lgspReplies(`instance`), a topic made beforehand. Returns that requester: stop it in afterAll.
 */
export async function waitForHub(kafka: Kafka, batching: BatchingProducer, instance: string, groupId: string): Promise<KafkaRequester> {
  const pinger = new KafkaRequester(kafka, batching, Topics.lgspReplies(instance), groupId);
  await pinger.start([]);
  for (let i = 0; ; i++) {
    try {
      await pinger.request<PingRequest, PingReply>(Topics.hubRequests, PING_OPERATION, { fromInstance: instance, sentAt: new Date().toISOString() }, 2000);
      return pinger;
    } catch (e) {
      if (i >= 10) {
        await pinger.stop().catch(() => undefined);
        throw e;
      }
    }
  }
}

/** Provides the LGSP configuration to the gateway module, as the lgsp app's own module does. */
@Global()
@Module({})
export class LgspConfigModule {
  static of(config: LgspConfig) {
    return { module: LgspConfigModule, providers: [{ provide: LgspConfig, useValue: config }], exports: [LgspConfig] };
  }
}

/**
 * The LGSP gateway alone (gateway module, its spool migration, the registry view), listening on a free port of
 * 127.0.0.1; with `tls`, HTTPS beside HTTP on that port from the LGSP_TLS_ files, as bootstrapApp does.
 */
export async function startGatewayAlone(config: LgspConfig, tls = false): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      PlatformModule.forApp({ app: 'lgsp', config, schema: 'lgsp', migrations: [EventSpool1764460000000] }),
      LgspConfigModule.of(config),
      RegistryViewModule,
      GatewayModule,
    ],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error', 'warn'], bodyParser: false });
  serveGatewayPaths(app);
  if (tls) acceptTls(app.getHttpServer(), lgspTlsOptions(config)!);
  await app.listen(0, '127.0.0.1');
  return app;
}

/**
 * What a gateway middle test registers: its LGSP agency, the provider of `service` (of the Ministry of Public Security),
 * the service, and `client`, an LGSP member granted the service and issued `apiKey` (key id k1).
 */
export function gatewaySeed(lgsp: string, client: string, apiKey: string, service: CatalogueService): RegistryEvent[] {
  return [
    { type: 'AgencyRegistered', code102: lgsp, nameVi: 'Hà Nội', nameEn: 'Ha Noi', level: 1, category: 'province', codeConfirmed: true, hasLgsp: true },
    { type: 'AgencyRegistered', code102: MPS, nameVi: 'Bộ Công an', nameEn: 'Ministry of Public Security', level: 1, category: 'ministry', codeConfirmed: true, hasLgsp: false },
    { type: 'SubsystemRegistered', subsystem: service.provider, agency: MPS, name: `${service.database} database`, role: 'provider' },
    serviceRegistered(service),
    { type: 'SubsystemRegistered', subsystem: client, agency: lgsp, name: 'one-stop shop', role: 'client' },
    { type: 'AccessGranted', client, service: serviceKeyOf(service) },
    { type: 'CredentialIssued', client, keyId: 'k1', keyHash: hashApiKey(apiKey) },
  ];
}
const MPS = '000.00.00.G01';

/**
 * All topics a gateway middle test uses, made up front as the apps of a running stack find them (a KafkaRequester that
 * listed its reply topic's offsets right after creating it was refused by the broker, "not the leader"; it no longer does).
 */
export async function createGatewayTopics(kafka: Kafka, instance: string, pingerInstance: string): Promise<void> {
  await createTopics(kafka, [
    { topic: Topics.registryEvents, numPartitions: 1 },
    { topic: Topics.transactions, numPartitions: HOT_TOPIC_PARTITIONS },
    { topic: Topics.hubRequests, numPartitions: HOT_TOPIC_PARTITIONS },
    { topic: Topics.lgspReplies(instance), numPartitions: 3 },
    { topic: Topics.lgspReplies(pingerInstance), numPartitions: 1 },
  ]);
}

/**
 * The fake hub's answer as the client told it in its `answer` query parameter: `silence` none, `denied` an AccessDenied
 * fault, anything else 200 with `value(query)` as JSON (and an etag).
 */
export function answerAsTold(req: ExchangeRequest, value: (query: URLSearchParams) => unknown): ExchangeResponse | undefined {
  const query = new URLSearchParams(req.rawQuery);
  switch (query.get('answer')) {
    case 'silence':
      return undefined;
    case 'denied':
      return { transactionId: req.transactionId, status: 500, fault: fault(FaultTypes.accessDenied, `${req.client} has no access right`), responseSize: 0 };
    default:
      return jsonAnswer(req, value(query), { etag: '"e1"' });
  }
}
