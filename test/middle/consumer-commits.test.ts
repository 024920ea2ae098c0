import { Kafka, logLevel } from 'kafkajs';
import { InfraHandle, startInfra } from '@ndxp/infra';
import { createTopics, SupervisedConsumer } from '@ndxp/platform';
import { isolatedEnv } from '../support/env';

// The middle tier for the platform's consumer (SupervisedConsumer) against a real broker: how often a reply
// consumer (timedCommits, as every requester's) commits offsets. kafkajs with auto-commit on commits after every
// batch and waits for it before fetching again; at a steady trickle that is one OffsetCommit per record.

const TOPIC = 'middle.consumer-commits';
const GROUP = 'middle-consumer-commits';
const RECORDS = 100;

describe('middle tier: a reply consumer commits on a timer, not per batch', () => {
  let infra: InfraHandle | undefined;
  let kafka: Kafka;

  beforeAll(async () => {
    const env = await isolatedEnv('middle-consumer-commits');
    infra = await startInfra({ env, log: () => undefined });
    kafka = new Kafka({ clientId: 'middle-consumer-commits', brokers: infra.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
    await createTopics(kafka, [{ topic: TOPIC, numPartitions: 3 }]);
  }, 180_000);

  afterAll(async () => {
    await infra?.stop();
  }, 60_000);

  const committed = async (): Promise<number> => {
    const admin = kafka.admin();
    await admin.connect();
    const [{ partitions }] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
    await admin.disconnect();
    return partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
  };

  it('given a record every 20 ms for 2 s, then a few commits, not one a batch, and within a second of the last record everything handled is committed', async () => {
    let handled = 0;
    let batches = 0;
    const consumer = new SupervisedConsumer(kafka, {
      groupId: GROUP,
      topic: TOPIC,
      fromBeginning: true,
      timedCommits: true,
      run: {
        partitionsConsumedConcurrently: 3,
        eachBatch: async ({ batch }) => {
          batches++;
          handled += batch.messages.length;
        },
      },
    });
    await consumer.start();
    const producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < RECORDS; i++) {
      await producer.send({ topic: TOPIC, messages: [{ key: String(i), value: String(i) }] });
      await new Promise((r) => setTimeout(r, 20));
    }
    await producer.disconnect();
    const deadline = Date.now() + 15_000;
    while (handled < RECORDS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(handled).toBe(RECORDS);
    // Then: the group's offsets reach the end within the next tick or two
    const committedBy = Date.now() + 3000;
    while ((await committed()) < RECORDS && Date.now() < committedBy) await new Promise((r) => setTimeout(r, 100));
    expect(await committed()).toBe(RECORDS);
    await consumer.stop();
    // and each record came in a small batch of its own or nearly, while the commits were about one a second
    expect(batches).toBeGreaterThan(RECORDS / 2);
    expect(consumer.commits).toBeGreaterThanOrEqual(1);
    expect(consumer.commits).toBeLessThanOrEqual(6);
  }, 60_000);
});
