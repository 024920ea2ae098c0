import { randomUUID } from 'crypto';
import { Consumer, Kafka } from 'kafkajs';
import { Topics, TransactionEvent } from '@ndxp/contracts';
import { InfraHandle } from '@ndxp/infra';

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

/** Collects every transaction event from the start of the topic into `into`; disconnect it in afterAll. */
export async function watchTransactions(kafka: Kafka, name: string, into: TransactionEvent[]): Promise<Consumer> {
  const watcher = kafka.consumer({ groupId: `${name}-watch-${randomUUID().slice(0, 8)}`, maxWaitTimeInMs: 100 });
  await watcher.connect();
  await watcher.subscribe({ topic: Topics.transactions, fromBeginning: true });
  await watcher.run({ eachMessage: async ({ message }) => void into.push(JSON.parse(message.value!.toString()) as TransactionEvent) });
  return watcher;
}
