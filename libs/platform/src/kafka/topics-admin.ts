import { Admin, Kafka } from 'kafkajs';
import { KAFKA_MAX_MESSAGE_BYTES } from '@ndxp/contracts';
import { unknownTopic } from './kafka-client';

export interface TopicSpec {
  topic: string;
  numPartitions?: number;
}

/**
 * Creates topics that do not exist yet and waits for their leaders. Consumers
 * must not subscribe before this: kafkajs fails with "does not host this
 * topic-partition" on a topic the broker has not created.
 */
export async function ensureTopics(admin: Admin, specs: TopicSpec[]): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.topic));
  if (missing.length === 0) return;
  try {
    await create(admin, missing);
  } catch (e) {
    // With several brokers, kafkajs' wait for leaders asks a broker that may not know the new topic yet, and
    // gives up on its first "does not host this topic-partition": the topic was created, its leaders are
    // waited for below instead.
    if (!unknownTopic(e)) throw e;
  }
  await leadersOf(
    admin,
    missing.map((s) => s.topic),
  );
}

/** Resolves once every partition of the topics has a leader, as a broker's metadata says (at most 30 s). */
async function leadersOf(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const meta = await admin.fetchTopicMetadata({ topics }).catch(() => undefined);
    if (meta && meta.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    if (Date.now() > deadline) throw new Error(`the new topics ${topics.join(', ')} have no leader after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function create(admin: Admin, missing: TopicSpec[]): Promise<boolean> {
  return admin.createTopics({
    waitForLeaders: true,
    // The platform's message size on the topic itself, so that a broker left at Kafka's default (1 MiB) takes it too.
    // No replication factor: the broker's default.replication.factor (kafkajs sends -1), 1 on one broker and 3 on
    // the local cluster, whose min.insync.replicas=2 then lets acks=all writes survive the loss of a broker.
    topics: missing.map((s) => ({
      topic: s.topic,
      numPartitions: s.numPartitions ?? 1,
      configEntries: [{ name: 'max.message.bytes', value: String(KAFKA_MAX_MESSAGE_BYTES) }],
    })),
  });
}

/** Creates missing topics through a short-lived admin connection of their own (for code without KafkaService). */
export async function createTopics(kafka: Kafka, specs: TopicSpec[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, specs);
  } finally {
    await admin.disconnect();
  }
}
