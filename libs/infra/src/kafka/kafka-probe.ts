import { randomUUID } from 'crypto';
import { Consumer, Kafka, logLevel } from 'kafkajs';
import { ensureTopics, kafkaAuth, KafkaSecurity, unknownTopic } from '@ndxp/platform';

/**
 * Proves the broker works end to end: creates a topic, produces a message with
 * a fresh nonce, and consumes until that nonce comes back. An open port alone
 * says nothing about the controller, the group coordinator or the log.
 */
export async function kafkaRoundTrip(brokers: string[], topic: string, timeoutMs = 60_000, security: KafkaSecurity = {}): Promise<number> {
  const started = Date.now();
  const kafka = new Kafka({ clientId: 'ndxp-launcher-probe', brokers, logLevel: logLevel.NOTHING, retry: { retries: 10 }, ...kafkaAuth(security) });
  const admin = kafka.admin();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const consumer = kafka.consumer({ groupId: `ndxp-launcher-probe-${randomUUID()}`, sessionTimeout: 10000 });
  const nonce = randomUUID();
  let timer: NodeJS.Timeout | undefined;
  try {
    await admin.connect();
    await ensureTopics(admin, [{ topic }]);
    await consumer.connect();
    await subscribeSoon(consumer, topic);
    const seen = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          if (message.value?.toString() === nonce) resolve();
        },
      });
    });
    await producer.connect();
    await producer.send({ topic, messages: [{ value: nonce }] });
    await Promise.race([
      seen,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the probe message did not come back within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return Date.now() - started;
  } finally {
    if (timer) clearTimeout(timer);
    await Promise.allSettled([consumer.disconnect(), producer.disconnect(), admin.disconnect()]);
  }
}

/** Subscribes, asking again for up to 10 s while the broker asked has not learnt of the new topic (in a cluster). */
async function subscribeSoon(consumer: Consumer, topic: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await consumer.subscribe({ topic, fromBeginning: true });
    } catch (e) {
      if (!unknownTopic(e) || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
