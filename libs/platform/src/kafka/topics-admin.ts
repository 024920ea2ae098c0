import { Admin, Kafka } from 'kafkajs';

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
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((s) => ({ topic: s.topic, numPartitions: s.numPartitions ?? 1, replicationFactor: 1 })),
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
