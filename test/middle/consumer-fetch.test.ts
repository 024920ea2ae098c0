import { Kafka, logLevel } from 'kafkajs';
import { Registry } from 'prom-client';
import { InfraHandle, startInfra } from '@ndxp/infra';
import { createTopics, KafkaService, SupervisedConsumer } from '@ndxp/platform';
import { isolatedEnv } from '../support/env';

// The middle tier for the consumers' fetch settings (KAFKA_FETCH_MAX_WAIT_MS, KAFKA_FETCH_MIN_BYTES) against a
// real broker: they must reach the broker's fetch, where they decide how many records a batch holds, and so how
// many fetches and offset commits (kafkajs commits after every batch) a trickle of records costs.

const TOPIC = 'middle.consumer-fetch';
const RECORDS = 40;
const GAP_MS = 10;

describe('middle tier: the consumers fetch settings at a real broker', () => {
  let infra: InfraHandle | undefined;
  const services: KafkaService[] = [];
  const consumers: SupervisedConsumer[] = [];
  const log: string[] = [];

  beforeAll(async () => {
    const env = await isolatedEnv('middle-consumer-fetch');
    infra = await startInfra({ env, log: (l) => log.push(l) });
    const kafka = new Kafka({ clientId: 'middle-consumer-fetch-admin', brokers: infra.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
    await createTopics(kafka, [{ topic: TOPIC, numPartitions: 1 }]);
  }, 180_000);

  afterAll(async () => {
    for (const c of consumers) await c.stop();
    for (const s of services) await s.onApplicationShutdown();
    await infra?.stop();
  }, 60_000);

  /** A consumer of the topic through KafkaService, as an app makes one, that counts the batches it is handed. */
  const batchCounter = async (name: string, fetch: { fetchMaxWaitMs?: number; fetchMinBytes?: number }) => {
    const registry = new Registry();
    const service = new KafkaService({ clientId: name, brokers: infra!.kafkaBrokers.split(','), ...fetch }, registry);
    await service.onModuleInit();
    services.push(service);
    const seen = { batches: 0, records: 0, registry };
    const consumer = new SupervisedConsumer(service.kafka, {
      groupId: name,
      topic: TOPIC,
      // The topic is this test's alone: from the beginning, no record is missed while the group looks up its offset.
      fromBeginning: true,
      run: {
        eachBatch: async ({ batch }) => {
          seen.batches++;
          seen.records += batch.messages.length;
        },
      },
    });
    await consumer.start();
    consumers.push(consumer);
    return seen;
  };

  it(`given ${RECORDS} records ${GAP_MS} ms apart, when one consumer waits up to 200 ms for 64 KiB and one takes the default, then the first gets them in a few batches and the second in many`, async () => {
    const waiting = await batchCounter('fetch-waits', { fetchMaxWaitMs: 200, fetchMinBytes: 65_536 });
    const eager = await batchCounter('fetch-eager', {});
    const producer = services[0].kafka.producer();
    await producer.connect();
    const sendingFrom = Date.now();
    for (let i = 0; i < RECORDS; i++) {
      await producer.send({ topic: TOPIC, messages: [{ value: `record ${i}` }] });
      await new Promise((r) => setTimeout(r, GAP_MS));
    }
    const sendingMs = Date.now() - sendingFrom;
    await producer.disconnect();
    const deadline = Date.now() + 15_000;
    while ((waiting.records < RECORDS || eager.records < RECORDS) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));

    expect({ waiting: waiting.records, eager: eager.records }).toEqual({ waiting: RECORDS, eager: RECORDS });
    // The records came over sendingMs (400 ms and more), in fetches held up to 200 ms each: one batch per
    // 200 ms, give or take the fetches at either end.
    expect(waiting.batches).toBeLessThanOrEqual(Math.ceil(sendingMs / 200) + 2);
    // Back with the first record: a batch for nearly every record when the consumer keeps up.
    expect(eager.batches).toBeGreaterThanOrEqual(2 * waiting.batches);
    // And the metrics count the requests behind them: a fetch for every batch (and empty ones), a commit after each.
    const requests = async (seen: { registry: Registry }, api: string) =>
      (await seen.registry.getSingleMetric('kafka_client_requests_total')!.get()).values.find((v) => v.labels.api === api && v.labels.client === TOPIC)?.value ?? 0;
    // A request is counted when its answer comes: the last batch's commit may still be on its way.
    for (const until = Date.now() + 5000; (await requests(eager, 'OffsetCommit')) < eager.batches && Date.now() < until;) await new Promise((r) => setTimeout(r, 50));
    expect(await requests(eager, 'Fetch')).toBeGreaterThanOrEqual(eager.batches);
    expect(await requests(eager, 'OffsetCommit')).toBeGreaterThanOrEqual(eager.batches);
    expect(await requests(waiting, 'OffsetCommit')).toBeLessThan(await requests(eager, 'OffsetCommit'));
  }, 60_000);
});
