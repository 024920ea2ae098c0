import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AdminAuditEvent, parseAdminAuditEvent, Topics } from '@ndxp/contracts';
import { classifyFailure, DeadLetterReason, KafkaService, SupervisedConsumer, withRetries } from '@ndxp/platform';
import { KafkaMessage } from 'kafkajs';
import { DataSource } from 'typeorm';
import { rebuildFromZero, waitUntilCaughtUp } from '../projection/replay';
import { AUDIT_UPSERT, auditParams } from './audit-rows';

const GROUP = 'ndxp-admin-audit';
/** PostgreSQL's data exceptions (class 22): the record's own values, which no retry fixes. */
const isDataError = (e: unknown) => /^22/.test(String((e as { code?: unknown }).code ?? ''));

/**
 * Projects `ndxp.admin-audit` (one partition) into ndxp.admin_audit. A few
 * records a minute at most, so one statement per record; a record it cannot
 * read or store is dead-lettered and the trail goes on. Idempotent
 * (audit-rows.ts), so a rebuild from offset zero gives identical rows.
 */
@Injectable()
export class AuditProjector implements OnApplicationBootstrap {
  private readonly logger = new Logger(AuditProjector.name);
  private consumer: SupervisedConsumer | undefined;
  /** The next offset to consume, once this process has consumed any. */
  private next: number | undefined;
  private replaying = false;
  eventsApplied = 0;

  constructor(
    private readonly db: DataSource,
    private readonly kafka: KafkaService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.kafka.ensureTopics([{ topic: Topics.adminAudit, numPartitions: 1 }]);
    await this.start();
    this.kafka.trackLag(GROUP, Topics.adminAudit);
    this.kafka.onShutdown(() => this.stop());
  }

  private async start(): Promise<void> {
    this.consumer = new SupervisedConsumer(this.kafka.kafka, {
      groupId: GROUP,
      topic: Topics.adminAudit,
      fromBeginning: true,
      // A rarely written topic: back with its first record, and at rest one fetch every 250 ms, whatever the
      // KAFKA_FETCH_* settings the hot path takes.
      config: { maxWaitTimeInMs: 250, minBytes: 1 },
      run: {
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) await this.project(m);
          this.next = Number(batch.lastOffset()) + 1;
        },
      },
    });
    await this.consumer.start();
  }

  private async stop(): Promise<void> {
    await this.consumer?.stop();
    this.consumer = undefined;
  }

  /** Stores one record; an outage is thrown (the batch is retried), anything else the record's fault is dead-lettered. */
  private async project(m: KafkaMessage): Promise<void> {
    const e = parseAdminAuditEvent(m.value?.toString() ?? '');
    if (!e.ok) return this.skipped(m, 'malformed', e.reason);
    const failure = await withRetries(
      () => this.apply(e.value),
      (err) => classifyFailure(err, isDataError),
    );
    if (failure) await this.skipped(m, failure.kind === 'record' ? 'unstorable' : 'failed', `${e.value.eventId}: ${failure.error.message}`);
  }

  async apply(e: AdminAuditEvent): Promise<void> {
    await this.db.query(AUDIT_UPSERT, auditParams(e));
    this.eventsApplied++;
  }

  private async skipped(m: KafkaMessage, reason: DeadLetterReason, why: string): Promise<void> {
    // A rebuild meets the same records again: they are on the dead-letter topic already.
    if (this.replaying) return this.logger.warn(`rebuild: skipped ${Topics.adminAudit} offset ${m.offset} again (${reason}): ${why}`);
    await this.kafka.deadLetters.send({ group: GROUP, topic: Topics.adminAudit, partition: 0, offset: m.offset }, m, reason, why);
  }

  /** Records on the topic not yet projected. */
  async behind(): Promise<number> {
    const [p] = await this.kafka.partitionOffsets(GROUP, Topics.adminAudit);
    // What this process has applied is fresher than the committed offset (kafkajs commits once a batch is applied).
    const consumed = Math.max(this.next ?? Math.max(0, p.committed), p.low);
    return Math.max(0, p.high - consumed);
  }

  waitCaughtUp(timeoutMs: number): Promise<void> {
    return waitUntilCaughtUp('admin audit projection', 'records', () => this.behind(), timeoutMs);
  }

  /** Empties the trail's table and replays the topic from offset zero (rebuildFromZero: the offsets reset first, then the table emptied). */
  async rebuild(timeoutMs = 120_000): Promise<{ events: number; ms: number }> {
    const started = Date.now();
    // Counted from when the replay starts: until the consumer has stopped, the live projection may still apply a record.
    let before = this.eventsApplied;
    await rebuildFromZero(
      {
        stop: () => this.stop(),
        start: () => this.start(),
        resetOffsets: () => this.kafka.forgetCommittedOffsets(GROUP),
        empty: async () => {
          await this.db.query('TRUNCATE ndxp.admin_audit');
          this.next = undefined;
        },
        waitCaughtUp: (ms) => this.waitCaughtUp(ms),
        replaying: (on) => {
          this.replaying = on;
          if (on) before = this.eventsApplied;
        },
      },
      timeoutMs,
    );
    this.logger.log(`rebuilt the admin audit trail from offset zero: ${this.eventsApplied - before} events in ${Date.now() - started} ms`);
    return { events: this.eventsApplied - before, ms: Date.now() - started };
  }
}
