import { Global, INestApplication, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'crypto';
import { Consumer, IHeaders, Kafka, logLevel, Producer } from 'kafkajs';
import { eventIdFor, RegistryEventEnvelope, Topics, TransactionEvent } from '@ndxp/contracts';
import { dropDatabase, InfraHandle, startInfra } from '@ndxp/infra';
import {
  AdminGuard,
  AppConfig,
  DeadLetterHeaders,
  InboundRequest,
  KafkaRequester,
  KafkaService,
  loadConfig,
  PlatformModule,
  RegistryViewModule,
  RegistryViewService,
  RequestConsumer,
  sendReply,
} from '@ndxp/platform';
import { LedgerModule } from '../../apps/ndxp/src/ledger/ledger.module';
import { NDXP_MIGRATIONS } from '../../apps/ndxp/src/migrations';
import { NdxpMetricsService } from '../../apps/ndxp/src/observability/ndxp-metrics.service';
import { ProjectorService } from '../../apps/ndxp/src/projection/projector.service';
import { isolatedEnv } from '../support/env';
import { middleSettings } from './support';

// The middle tier: NDXP's projector and a registry view (the platform's Kafka and PostgreSQL, real), and a
// request consumer and requester of the platform's Kafka wrapper, fed poison records by a producer of our
// own. Every poison record must land on ndxp.dead-letter with the reason, and each consumer must move on.

const ADMIN_TOKEN = 'middle-tier-admin-token';
const CLIENT = 'VN/GOV/000.00.00.H26/MOTCUA';

@Global()
@Module({ providers: [AdminGuard, NdxpMetricsService], exports: [AdminGuard, NdxpMetricsService] })
class ProjectorDependencies {}

interface DeadLetter {
  headers: Record<string, string>;
  value: Buffer | null;
}

function exchange(id: string, t0: number): TransactionEvent[] {
  const request = {
    xRoadId: `x-${id.slice(0, 8)}`,
    lgsp: '000.00.00.H26',
    client: CLIENT,
    service: 'VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup',
    provider: 'VN/GOV/000.00.00.G01/CSDLQGDC',
    requestSize: 10,
    requestInAt: t0,
  };
  return [
    { type: 'TransactionRequested', eventId: eventIdFor(id, 'TransactionRequested'), transactionId: id, at: t0, ...request },
    { type: 'TransactionAnswered', eventId: eventIdFor(id, 'TransactionAnswered'), transactionId: id, at: t0 + 20, ...request, statusCode: 200, durationMs: 20 },
  ];
}

const credential = (globalPosition: number, keyId: string): RegistryEventEnvelope => ({
  globalPosition,
  streamId: `credential-${CLIENT}`,
  streamVersion: globalPosition,
  recordedAt: new Date().toISOString(),
  event: { type: 'CredentialIssued', client: CLIENT, keyId, keyHash: `hash-${keyId}` },
});

const headerText = (h: IHeaders | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(h ?? {}).map(([k, v]) => [k, (Array.isArray(v) ? v[0] : v)?.toString() ?? '']));

describe('middle tier: poison records go to ndxp.dead-letter, and every consumer moves on', () => {
  let infra: InfraHandle | undefined;
  let app: INestApplication | undefined;
  let producer: Producer | undefined;
  let watcher: Consumer | undefined;
  let projector: ProjectorService;
  let kafka: KafkaService;
  let base: string;
  const dead: DeadLetter[] = [];
  const log: string[] = [];
  const stops: Array<() => Promise<void>> = [];

  const deadFrom = (topic: string) => dead.filter((d) => d.headers[DeadLetterHeaders.topic] === topic);
  const waitFor = async (what: string, f: () => boolean, timeoutMs = 20_000) => {
    for (const deadline = Date.now() + timeoutMs; !f(); await new Promise((r) => setTimeout(r, 100))) if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  };
  const deadLetterCount = async (group: RegExp, topic: string, reason: string): Promise<number> => {
    const text = await (await fetch(`${base}/metrics`)).text();
    return text
      .split('\n')
      .filter((l) => l.startsWith('kafka_dead_letter_total{'))
      .filter((l) => group.test(/group="([^"]*)"/.exec(l)?.[1] ?? '') && l.includes(`topic="${topic}"`) && l.includes(`reason="${reason}"`))
      .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  };

  beforeAll(async () => {
    const env = await isolatedEnv('middle-dead-letter');
    infra = await startInfra({ env, log: (l) => log.push(l), skipKafka: false });
    const config = loadConfig('ndxp', AppConfig, middleSettings(infra, 'ndxp-middle-dl', ADMIN_TOKEN));
    const moduleRef = await Test.createTestingModule({
      imports: [PlatformModule.forApp({ app: 'ndxp', config, schema: 'ndxp', migrations: NDXP_MIGRATIONS }), RegistryViewModule, ProjectorDependencies, LedgerModule],
    }).compile();
    app = moduleRef.createNestApplication({ logger: ['error', 'warn'] });
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    projector = app.get(ProjectorService);
    kafka = app.get(KafkaService);
    const client = new Kafka({ clientId: 'middle-dead-letter-test', brokers: infra.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
    producer = client.producer();
    await producer.connect();
    watcher = client.consumer({ groupId: `middle-dead-letter-watch-${randomUUID().slice(0, 8)}`, maxWaitTimeInMs: 100 });
    await watcher.connect();
    await watcher.subscribe({ topic: Topics.deadLetter, fromBeginning: true }); // created by KafkaService at start
    await watcher.run({ eachMessage: async ({ message }) => void dead.push({ headers: headerText(message.headers), value: message.value }) });
  }, 120_000);

  afterAll(async () => {
    for (const stop of stops) await stop().catch(() => undefined);
    await watcher?.disconnect().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
    await app?.close();
    await infra?.stop();
    if (infra) await dropDatabase(infra.databaseUrl);
  });

  it('given poison on ndxp.transactions (not JSON, NUL, bad UTF-8, deep nesting, a bad time): each dead-lettered and the ledger moves on', async () => {
    const id = randomUUID();
    const key = id; // one partition: the poison first, then the good exchange
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const deepObject = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
    const [requested] = exchange(randomUUID(), Date.now());
    const poison: Array<{ what: string; value: Buffer }> = [
      { what: 'not JSON', value: Buffer.from('{ not json') },
      { what: 'a NUL byte', value: Buffer.from(`{"type":"TransactionRequested","transactionId":"a\u0000b"}`) },
      { what: 'invalid UTF-8', value: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]) },
      { what: 'a 100 000-deep array', value: Buffer.from(deep) },
      { what: 'a 100 000-deep object', value: Buffer.from(deepObject) },
      { what: 'a time out of range', value: Buffer.from(JSON.stringify({ ...requested, requestInAt: 1e300 })) }, // its day cannot be told
      // A day JavaScript can tell but no ledger partition can hold (the year 10000).
      { what: 'a year past 9999', value: Buffer.from(JSON.stringify({ ...requested, transactionId: randomUUID(), requestInAt: Date.UTC(10000, 0, 1) })) },
    ];
    const before = await deadLetterCount(/^ndxp-projector$/, Topics.transactions, 'malformed');
    await producer!.send({
      topic: Topics.transactions,
      messages: [...poison.map((p) => ({ key, value: p.value })), ...exchange(id, Date.now()).map((e) => ({ key, value: JSON.stringify(e) }))],
    });
    await projector.waitCaughtUp(30_000);

    const row = await fetch(`${base}/ledger/${id}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(row.status).toBe(200);
    expect(await row.json()).toMatchObject({ transactionId: id, outcome: 'success' });
    await waitFor('the seven dead letters', () => deadFrom(Topics.transactions).length >= poison.length);
    const letters = deadFrom(Topics.transactions);
    expect(letters.map((d) => d.headers[DeadLetterHeaders.reason])).toEqual(['malformed', 'malformed', 'malformed', 'malformed', 'malformed', 'unstorable', 'unstorable']);
    // The record as consumed, byte for byte, and where it came from.
    expect(letters.map((d) => d.value)).toEqual(poison.map((p) => p.value));
    const offsets = letters.map((d) => Number(d.headers[DeadLetterHeaders.offset]));
    expect(offsets).toEqual(offsets.map((_, i) => offsets[0] + i));
    for (const d of letters) {
      expect(d.headers).toMatchObject({ [DeadLetterHeaders.group]: 'ndxp-projector', [DeadLetterHeaders.partition]: expect.stringMatching(/^\d$/) });
      expect(d.headers[DeadLetterHeaders.detail]).not.toBe('');
    }
    expect(letters[0].headers[DeadLetterHeaders.detail]).toMatch(/not JSON/);
    expect((await deadLetterCount(/^ndxp-projector$/, Topics.transactions, 'malformed')) - before).toBe(5);
    expect(await deadLetterCount(/^ndxp-projector$/, Topics.transactions, 'unstorable')).toBe(2);
  });

  it('given poison on the registry topic (not JSON, a huge, a far-ahead, a fractional position), then each is dead-lettered and later changes apply', async () => {
    const view = app!.get(RegistryViewService);
    const values = [
      JSON.stringify(credential(1, 'k1')),
      'not json',
      JSON.stringify(credential(1e300, 'huge')),
      JSON.stringify(credential(Number.MAX_SAFE_INTEGER, 'far-ahead')),
      JSON.stringify(credential(1.5, 'fractional')),
      JSON.stringify(credential(2, 'k2')),
    ];
    await producer!.send({ topic: Topics.registryEvents, messages: values.map((value) => ({ key: `credential-${CLIENT}`, value })) });
    await waitFor('the view to apply k2', () => view.state.position === 2);
    expect([...view.state.credentials.values()].map((c) => c.keyId)).toEqual(['k1', 'k2']);
    await waitFor('the four dead letters', () => deadFrom(Topics.registryEvents).length >= 4);
    const letters = deadFrom(Topics.registryEvents);
    expect(letters.map((d) => [d.headers[DeadLetterHeaders.offset], d.headers[DeadLetterHeaders.reason]])).toEqual([
      ['1', 'malformed'],
      ['2', 'malformed'],
      ['3', 'malformed'],
      ['4', 'malformed'],
    ]);
    expect(letters[3].headers[DeadLetterHeaders.detail]).toMatch(/globalPosition is not a positive integer/);
    expect(letters[2].headers[DeadLetterHeaders.detail]).toMatch(/leaps/);
    expect(letters[0].headers[DeadLetterHeaders.group]).toMatch(/^registry-view-ndxp-middle-dl-/);
    expect(await deadLetterCount(/^registry-view-/, Topics.registryEvents, 'malformed')).toBe(4);
  });

  it('given a request a handler keeps throwing on, a record that is no request, and a reply that is not JSON, then dead-lettered, and the next ones are handled', async () => {
    const topic = 'middle-dead-letter.requests';
    const handled: unknown[] = [];
    let attempts = 0;
    const consumer = new RequestConsumer(kafka.kafka, { topic }, 'middle-dead-letter-handler', async (reqs: InboundRequest[]) => {
      for (const r of reqs) {
        if ((r.body as { boom?: boolean }).boom) {
          attempts++;
          throw new TypeError('the handler cannot read this request');
        }
        handled.push(r.body);
        await sendReply(kafka.batching, r, { echo: r.body });
      }
    });
    await consumer.start();
    stops.push(() => consumer.stop());
    const requester = new KafkaRequester(kafka.kafka, kafka.batching, 'middle-dead-letter.replies', 'middle-dead-letter-requester');
    await requester.start([{ topic }]);
    stops.push(() => requester.stop());

    // On the one partition, in this order: a record without request headers, a request that always fails, a good one.
    await producer!.send({ topic, messages: [{ key: 'k', value: '{"no":"headers"}' }] });
    const failing = requester.request(topic, 'boom', { boom: true }, 3000).catch((e: Error) => e);
    await new Promise((r) => setTimeout(r, 200));
    // A reply that is not JSON, on the requester's reply topic, before the good reply.
    await producer!.send({ topic: 'middle-dead-letter.replies', messages: [{ key: 'k', value: '\u0000{not json', headers: { 'ndxp-correlation-id': 'nobody' } }] });
    expect(await requester.request(topic, 'ok', { n: 1 }, 10_000)).toEqual({ echo: { n: 1 } });
    expect(await failing).toMatchObject({ name: 'RequestTimeoutError' }); // nobody answered it: the caller hears of its deadline
    expect(handled).toEqual([{ n: 1 }]);
    expect(attempts).toBe(1 + 3); // the batch, then the request alone 3 times

    await waitFor('three dead letters', () => deadFrom(topic).length >= 2 && deadFrom('middle-dead-letter.replies').length >= 1);
    expect(deadFrom(topic).map((d) => [d.headers[DeadLetterHeaders.reason], d.headers[DeadLetterHeaders.group]])).toEqual([
      ['malformed', 'middle-dead-letter-handler'],
      ['failed', 'middle-dead-letter-handler'],
    ]);
    expect(deadFrom(topic)[1].headers[DeadLetterHeaders.detail]).toMatch(/boom: the handler cannot read this request/);
    expect(deadFrom('middle-dead-letter.replies')[0].headers).toMatchObject({
      [DeadLetterHeaders.reason]: 'malformed',
      [DeadLetterHeaders.group]: expect.stringMatching(/^middle-dead-letter-requester-/),
      'ndxp-correlation-id': 'nobody',
    });
  });
});
