import { Kafka, logLevel } from 'kafkajs';
import { Registry } from 'prom-client';
import { InfraHandle, startInfra } from '@ndxp/infra';
import { createTopics, KafkaService, MessageExpiredError } from '@ndxp/platform';
import { isolatedEnv } from '../support/env';

// The middle tier for the platform's producer (KafkaService and its BatchingProducer, as every app has them)
// against a real broker that stalls: SIGSTOP for 7 s (a long GC pause, a frozen VM), then SIGCONT. A produce
// request in flight when the broker froze times out at the client, and the broker writes it when it wakes.
// The producer must then neither write a message twice (the retry of a batch the broker did write) nor lose
// one it acknowledged, and must keep producing afterwards (an idempotent producer whose sequence numbers
// went out of step with the broker's stays dead: kafkajs#598).

const TOPIC = 'middle.producer-stall';

describe('middle tier: the platform producer across a broker stall', () => {
  let infra: InfraHandle | undefined;
  let service: KafkaService | undefined;
  const log: string[] = [];

  beforeAll(async () => {
    const env = await isolatedEnv('middle-producer-stall');
    infra = await startInfra({ env, log: (l) => log.push(l) });
    const kafka = new Kafka({ clientId: 'middle-producer-stall-admin', brokers: infra.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
    await createTopics(kafka, [{ topic: TOPIC, numPartitions: 1 }]);
    service = new KafkaService({ clientId: 'middle-producer-stall', brokers: infra.kafkaBrokers.split(',') }, new Registry());
    await service.onModuleInit();
  }, 180_000);

  afterAll(async () => {
    if (infra?.kafkaPid) process.kill(infra.kafkaPid, 'SIGCONT');
    await service?.onApplicationShutdown();
    await infra?.stop();
  }, 60_000);

  /** Every value on the topic, from the start. */
  const topicValues = async (expected: number): Promise<string[]> => {
    const kafka = new Kafka({ clientId: 'middle-producer-stall-reader', brokers: infra!.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const [{ high }] = await admin.fetchTopicOffsets(TOPIC);
    await admin.disconnect();
    const consumer = kafka.consumer({ groupId: `reader-${Date.now()}` });
    const values: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${values.length} of ${high} records (${expected} acknowledged)`)), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          values.push(message.value!.toString());
          if (values.length >= Number(high)) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
    return values;
  };

  // 7 s: the request in flight is retried by kafkajs, unchanged. 20 s: kafkajs gives up (3 tries of 5 s) and
  // BatchingProducer retries the batch without the messages that expired meanwhile.
  it.each([7000, 20_000])(
    'after a %i ms stall: nothing acknowledged is lost or written twice, and produces go through again',
    async (STALL_MS) => {
      const acked: string[] = [];
      const expired: string[] = [];
      const failed: Array<{ id: string; at: number; error: string }> = [];
      const sends: Array<Promise<void>> = [];
      let n = 0;
      const send = () => {
        const id = `stall-${STALL_MS}-${String(n++).padStart(5, '0')}`;
        // Half are requests, dropped unsent once their caller has given up (past their deadline); half are
        // events, which never expire: a batch holds both, as the platform's do.
        const expiresAt = n % 2 === 0 ? Date.now() + 1500 : undefined;
        sends.push(
          service!.batching.send(TOPIC, { key: id, value: id }, { expiresAt }).then(
            () => void acked.push(id),
            (e: Error) => void (e instanceof MessageExpiredError ? expired.push(id) : failed.push({ id, at: Date.now(), error: e.message })),
          ),
        );
      };
      const timer = setInterval(send, 10);
      await new Promise((r) => setTimeout(r, 2000));
      process.kill(infra!.kafkaPid!, 'SIGSTOP');
      await new Promise((r) => setTimeout(r, STALL_MS));
      process.kill(infra!.kafkaPid!, 'SIGCONT');
      const resumedAt = Date.now();
      await new Promise((r) => setTimeout(r, 10_000));
      clearInterval(timer);
      await Promise.all(sends);

      // The topic holds the earlier cases' messages too.
      const values = (await topicValues(acked.length)).filter((v) => v.startsWith(`stall-${STALL_MS}-`));
      const counts = new Map<string, number>();
      for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
      const lost = acked.filter((id) => !counts.has(id));
      const doubled = [...counts].filter(([, c]) => c > 1).map(([id]) => id);
      // A message its sender was told expired unsent must not be on the topic.
      const expiredYetWritten = expired.filter((id) => counts.has(id));
      console.log(
        `producer stall ${STALL_MS} ms: ${n} sent, ${acked.length} acknowledged, ${expired.length} expired unsent, ${failed.length} failed; ` +
          `topic holds ${values.length}: ${lost.length} acknowledged but missing, ${doubled.length} written twice, ${expiredYetWritten.length} told expired yet written`,
      );
      expect(failed.filter((f) => f.at > resumedAt + 3000)).toEqual([]);
      expect(lost).toEqual([]);
      expect(doubled).toEqual([]);
      expect(expiredYetWritten).toEqual([]);
      // Produces go through after the stall: the last second's messages are all acknowledged.
      expect(acked).toContain(`stall-${STALL_MS}-${String(n - 1).padStart(5, '0')}`);
    },
    120_000,
  );
});
