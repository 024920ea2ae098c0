import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Admin, Kafka, Producer } from 'kafkajs';
import { BatchingProducer } from './batching-producer';
import { createKafka } from './kafka-client';

export interface KafkaSettings {
  clientId: string;
  brokers: string[];
}

export const KAFKA_SETTINGS = Symbol('KAFKA_SETTINGS');

export interface ComponentHealth {
  status: 'up' | 'down';
  detail?: string;
  [k: string]: unknown;
}

/**
 * One Kafka connection per app: the client, a shared producer with batching,
 * and an admin client kept open for health checks.
 */
@Injectable()
export class KafkaService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(KafkaService.name);
  readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly admin: Admin;
  readonly batching: BatchingProducer;
  private readonly stoppers: Array<() => Promise<void>> = [];

  constructor(readonly settings: KafkaSettings) {
    this.kafka = createKafka(settings.clientId, settings.brokers);
    this.producer = this.kafka.producer({ allowAutoTopicCreation: false });
    this.admin = this.kafka.admin();
    this.batching = new BatchingProducer(this.producer);
  }

  async onModuleInit(): Promise<void> {
    try {
      await Promise.all([this.producer.connect(), this.admin.connect()]);
    } catch (e) {
      throw new Error(
        `cannot reach Kafka at ${this.settings.brokers.join(',')}: ${(e as Error).message}. ` +
          `Start the stack with 'npm start' (it runs a local broker) or set KAFKA_BROKERS to a running broker.`,
      );
    }
    this.logger.log(`connected to Kafka at ${this.settings.brokers.join(',')}`);
  }

  /** Registers something to stop before the producer goes (consumers, requesters). */
  onShutdown(stop: () => Promise<void>): void {
    this.stoppers.push(stop);
  }

  async health(timeoutMs = 2000): Promise<ComponentHealth> {
    try {
      const cluster = await Promise.race([
        this.admin.describeCluster(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs)),
      ]);
      return { status: 'up', brokers: cluster.brokers.length, controller: cluster.controller };
    } catch (e) {
      return { status: 'down', detail: (e as Error).message };
    }
  }

  async onApplicationShutdown(): Promise<void> {
    for (const stop of this.stoppers.reverse()) await stop().catch(() => undefined);
    await this.batching.flush().catch(() => undefined);
    await Promise.all([this.producer.disconnect(), this.admin.disconnect()]).catch(() => undefined);
  }
}
