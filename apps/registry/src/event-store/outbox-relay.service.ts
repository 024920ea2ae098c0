import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { REGISTRY_SCHEMA_VERSION, Topics } from '@ndxp/contracts';
import { KafkaService } from '@ndxp/platform';
import { Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { APPEND_LOCK_KEY } from './event-store';

/**
 * Publishes the outbox to Kafka in store order, then marks the rows. A crash
 * between send and mark re-sends on restart (at-least-once); consumers apply
 * events by global position, so a duplicate changes nothing. An advisory lock
 * keeps one relay at a time, which keeps the order.
 */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap {
  private readonly logger = new Logger(OutboxRelayService.name);
  private producer: Producer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;
  private wake: (() => void) | undefined;
  published = 0;

  constructor(
    private readonly db: DataSource,
    private readonly kafka: KafkaService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // One partition: every consumer sees registry events in one order.
    await this.kafka.ensureTopics([{ topic: Topics.registryEvents, numPartitions: 1 }]);
    await this.republishIfTopicLost(await this.kafka.topicEnd(Topics.registryEvents));
    this.producer = await this.connectProducer();
    this.kafka.onShutdown(async () => {
      this.stopped = true;
      if (this.timer) clearTimeout(this.timer);
      await this.producer?.disconnect();
    });
    void this.loop();
  }

  /**
   * The store outlives the broker's data (`up --fresh`, a new broker): when the
   * topic holds fewer events than the store, every event goes out again.
   * Consumers apply by global position, so nothing is applied twice.
   */
  private async republishIfTopicLost(topicEnd: number): Promise<void> {
    // Under the append lock (EventStore.append), held to commit: an append meanwhile would otherwise take an outbox
    // id among the re-published rows, go out before lower positions, and make every consumer drop those for good.
    const republished = await this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [APPEND_LOCK_KEY]);
      // Only with nothing waiting in the outbox: rows still to go out (a seed in progress) are not a lost topic.
      const [{ n, pending }] = await tx.query(
        'SELECT (SELECT count(*) FROM registry.events)::int AS n, (SELECT count(*) FROM registry.outbox WHERE published_at IS NULL)::int AS pending',
      );
      if (topicEnd >= n || pending > 0) return 0;
      await tx.query('DELETE FROM registry.outbox');
      await tx.query(
        `INSERT INTO registry.outbox (topic, key, payload)
         SELECT $1, stream_id, jsonb_build_object('globalPosition', global_position, 'streamId', stream_id, 'streamVersion', stream_version,
                'recordedAt', to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'event', data)
         FROM registry.events ORDER BY global_position`,
        [Topics.registryEvents],
      );
      return n as number;
    });
    if (republished) this.logger.warn(`the registry topic holds ${topicEnd} of the store's ${republished} events (new broker data?): publishing all ${republished} again`);
  }

  /**
   * Idempotent, with one request in flight: the store's order holds on the topic across retries, and a retry
   * kafkajs makes of a request the broker did write is not written twice. After a failed send the next one
   * goes on a new producer (a new producer id): it carries the rows the failed one did and maybe more, and
   * under the old id's sequence numbers the broker could take it for a duplicate of the failed one and store
   * none of the additional rows (see BatchingProducer.sendWithRetry). Rows the failed send did write then
   * appear twice on the topic, which consumers skip: they apply events by global position.
   */
  private async connectProducer(): Promise<Producer> {
    const producer = this.kafka.newProducer();
    await producer.connect();
    return producer;
  }

  private sendFailed = false;

  private async sendInOrder(rows: Array<{ key: string; payload: Record<string, unknown> }>): Promise<void> {
    if (this.sendFailed) {
      await this.producer?.disconnect().catch(() => undefined);
      this.producer = await this.connectProducer();
      this.sendFailed = false;
    }
    try {
      await this.producer!.send({
        topic: Topics.registryEvents,
        acks: -1,
        messages: rows.map((r) => ({ key: r.key, value: JSON.stringify({ ...r.payload, schemaVersion: REGISTRY_SCHEMA_VERSION }) })),
      });
    } catch (e) {
      this.sendFailed = true;
      throw e;
    }
  }

  /** Called after an append so the events go out now rather than at the next poll. */
  poke(): void {
    this.wake?.();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        const n = await this.publishBatch();
        if (n > 0) continue;
      } catch (e) {
        this.logger.warn(`outbox relay: ${(e as Error).message}; retrying in 1 s`);
        await new Promise((r) => setTimeout(r, 1000));
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(resolve, 200);
      });
    }
  }

  async publishBatch(limit = 500): Promise<number> {
    if (this.running || !this.producer) return 0;
    this.running = true;
    try {
      return await this.db.transaction(async (tx) => {
        const [lock] = await tx.query(`SELECT pg_try_advisory_xact_lock(hashtext('registry.outbox')) AS ok`);
        if (!lock.ok) return 0;
        const rows: Array<{ id: string; topic: string; key: string; payload: Record<string, unknown> }> = await tx.query(
          'SELECT id, topic, key, payload FROM registry.outbox WHERE published_at IS NULL ORDER BY id LIMIT $1',
          [limit],
        );
        if (rows.length === 0) return 0;
        await this.sendInOrder(rows);
        await tx.query('UPDATE registry.outbox SET published_at = now() WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id)]);
        this.published += rows.length;
        return rows.length;
      });
    } finally {
      this.running = false;
    }
  }
}
