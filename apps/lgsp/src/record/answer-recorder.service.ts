import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { serializeTransactionRecord, Topics, TransactionEvent } from '@ndxp/contracts';
import { KafkaService, settlesWithin } from '@ndxp/platform';
import { DataSource } from 'typeorm';

/** How long an answer waits for Kafka's acknowledgement before its record goes to the spool instead. */
const KAFKA_WAIT_MS = 1000;
const RELAY_EVERY_MS = 500;
const RELAY_BATCH = 500;

/**
 * Makes a transaction event durable before the client is answered: on Kafka
 * (acknowledged) when the broker is there, else in the gateway's PostgreSQL
 * spool, which is relayed to Kafka once the broker is back. So a gateway that
 * crashes right after answering has lost nothing the client saw. A record
 * that reaches both (Kafka acknowledged late) is applied once: the ledger
 * keeps a transaction's first terminal event.
 */
@Injectable()
export class AnswerRecorder implements OnApplicationBootstrap {
  private readonly logger = new Logger(AnswerRecorder.name);
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  spooled = 0;

  constructor(
    private readonly kafka: KafkaService,
    private readonly db: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    this.kafka.onShutdown(async () => {
      this.stopped = true;
      if (this.timer) clearTimeout(this.timer);
    });
    this.schedule();
  }

  /** Resolves once the event is on Kafka or in the spool. */
  async record(e: TransactionEvent): Promise<void> {
    const value = serializeTransactionRecord([e]);
    const sent = this.kafka.batching.send(Topics.transactions, { key: e.transactionId, value });
    if (await settlesWithin(sent, KAFKA_WAIT_MS)) return;
    try {
      await this.db.query('INSERT INTO lgsp.event_spool (topic, key, value) VALUES ($1, $2, $3)', [Topics.transactions, e.transactionId, value]);
      this.spooled++;
    } catch (err) {
      // Neither Kafka nor PostgreSQL: the answer still goes out, and the loss is said out loud.
      this.logger.error(`${e.type} of ${e.transactionId} not recorded (Kafka and PostgreSQL both unavailable): ${(err as Error).message}`);
    }
  }

  async pending(): Promise<number> {
    const [row] = await this.db.query('SELECT count(*)::int AS n FROM lgsp.event_spool');
    return row.n;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.relay().finally(() => this.schedule()), RELAY_EVERY_MS);
  }

  /** Publishes the oldest spooled events, then deletes them; several gateways share the work. */
  private async relay(): Promise<void> {
    try {
      const n = await this.db.transaction(async (tx) => {
        const rows: Array<{ id: string; topic: string; key: string; value: string }> = await tx.query(
          'SELECT id, topic, key, value FROM lgsp.event_spool ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED',
          [RELAY_BATCH],
        );
        if (rows.length === 0) return 0;
        await Promise.all(rows.map((r) => this.kafka.batching.send(r.topic, { key: r.key, value: r.value })));
        await tx.query('DELETE FROM lgsp.event_spool WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id)]);
        return rows.length;
      });
      if (n) this.logger.log(`published ${n} spooled transaction event(s) to Kafka`);
    } catch (e) {
      this.logger.debug?.(`spool not relayed yet: ${(e as Error).message}`);
    }
  }
}
