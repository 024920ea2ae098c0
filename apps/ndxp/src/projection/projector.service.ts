import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { HOT_TOPIC_PARTITIONS, parseTransactionRecord, Topics, TransactionEvent } from '@ndxp/contracts';
import { classifyFailure, DeadLetterReason, KafkaService, SupervisedConsumer, withRetries } from '@ndxp/platform';
import { KafkaMessage } from 'kafkajs';
import { DataSource, EntityManager } from 'typeorm';
import { NdxpMetricsService } from '../observability/ndxp-metrics.service';
import { rebuildFromZero, waitUntilCaughtUp } from './replay';
import { isUnstorable, LEDGER_COLUMNS, LedgerPatch, ledgerParams, patchesFromEvents, unregisteredIn, UnstorableEvent, vietnamDay } from './ledger-rows';
import { AnalyzeSchedule, createPartitionSql, isAlreadyThere, monthOf, partitionName } from './partitions';

const TERMINAL_COLUMNS = new Set<keyof LedgerPatch>(['outcome', 'succeeded', 'status_code', 'fault_code', 'fault_string', 'duration_ms', 'completed_at']);
const GROUP = 'ndxp-projector';

/** A record's events with the record, to dead-letter it when they cannot be projected. */
interface Consumed {
  events: TransactionEvent[];
  message: KafkaMessage;
}

function upsertSql(): string {
  const cols = LEDGER_COLUMNS.map((c) => c.name);
  const params = LEDGER_COLUMNS.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ');
  const select = cols.map((c) => (c === 'late_response' ? 'coalesce(u.late_response, false)' : `u.${c}`)).join(', ');
  const updates = cols
    .filter((c) => c !== 'transaction_id' && c !== 'day')
    .map((c) => {
      if (c === 'late_response') return 'late_response = t.late_response OR excluded.late_response';
      if (TERMINAL_COLUMNS.has(c)) return `${c} = CASE WHEN t.outcome IS NULL THEN excluded.${c} ELSE t.${c} END`;
      return `${c} = coalesce(excluded.${c}, t.${c})`;
    })
    .join(',\n    ');
  return `INSERT INTO ndxp.transactions AS t (${cols.join(', ')})
  SELECT ${select} FROM unnest(${params}) AS u(${cols.join(', ')})
  ON CONFLICT (transaction_id, day) DO UPDATE SET
    ${updates}`;
}

/**
 * Adds the newly finished transactions ($1) to the daily and the monthly counters, keyed by the period and their
 * client, service and outcome; $2 and $3 are those counted under an 'unknown' client, or service and provider. One
 * statement reads the finished rows once for both (the ledger is the costliest table to read).
 */
const COUNT_FINISHED = (() => {
  const day = "coalesce(day, (completed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date)";
  const unknownIf = (param: string, column: string) => `CASE WHEN transaction_id = ANY(${param}::uuid[]) THEN 'unknown' ELSE coalesce(${column}, '') END`;
  const keys = 'lgsp, client, service, provider, outcome';
  return `WITH finished AS MATERIALIZED (
      SELECT ${day} AS day, ${unknownIf('$2', 'lgsp')} AS lgsp, ${unknownIf('$2', 'client')} AS client, ${unknownIf('$3', 'service')} AS service,
             ${unknownIf('$3', 'provider')} AS provider, outcome, count(*) AS n
      FROM ndxp.transactions WHERE transaction_id = ANY($1::uuid[]) GROUP BY 1, 2, 3, 4, 5, 6),
    daily AS (
      INSERT INTO ndxp.daily_counters (day, ${keys}, count) SELECT day, ${keys}, n FROM finished ORDER BY 1, 2, 3, 4, 5, 6
      ON CONFLICT (day, ${keys}) DO UPDATE SET count = ndxp.daily_counters.count + excluded.count)
    INSERT INTO ndxp.monthly_counters (month, ${keys}, count)
      SELECT date_trunc('month', day)::date, ${keys}, sum(n) FROM finished GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
      ON CONFLICT (month, ${keys}) DO UPDATE SET count = ndxp.monthly_counters.count + excluded.count`;
})();

/** The batch's rows; a field that cannot fold (a time out of range, say) makes the event unstorable. */
function fold(events: TransactionEvent[]): LedgerPatch[] {
  try {
    return [...patchesFromEvents(events).values()];
  } catch (e) {
    throw new UnstorableEvent(`does not fold into a ledger row: ${(e as Error).message}`);
  }
}

/**
 * Projects `ndxp.transactions` into the ledger and the daily counters.
 * Idempotent: re-applying events leaves the tables as they were (fields are
 * set, not added; a counter moves only when a transaction first gets its
 * outcome). A rebuild from offset zero therefore gives identical tables.
 */
@Injectable()
export class ProjectorService implements OnApplicationBootstrap {
  private readonly logger = new Logger(ProjectorService.name);
  private consumer: SupervisedConsumer | undefined;
  private readonly sql = upsertSql();
  /** Next offset to consume, per partition. */
  readonly consumed = new Map<number, number>();
  eventsApplied = 0;

  /** Months whose ledger partition this process has seen exist (forgotten when an insert finds none: retention dropped it). */
  private readonly months = new Set<string>();
  private readonly analyzeSchedule = new AnalyzeSchedule();

  /** True while a rebuild replays events this process has already counted. */
  private replaying = false;

  constructor(
    private readonly db: DataSource,
    private readonly kafka: KafkaService,
    private readonly metrics: NdxpMetricsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.kafka.ensureTopics([{ topic: Topics.transactions, numPartitions: HOT_TOPIC_PARTITIONS }]);
    await this.start();
    this.kafka.trackLag(GROUP, Topics.transactions);
    this.kafka.onShutdown(() => this.stop());
  }

  private async start(): Promise<void> {
    this.consumer = new SupervisedConsumer(this.kafka.kafka, {
      groupId: GROUP,
      topic: Topics.transactions,
      fromBeginning: true,
      // Bigger batches, fewer database round trips: the ledger may trail by a quarter second.
      config: { maxWaitTimeInMs: 250, minBytes: 64 * 1024 },
      run: {
        partitionsConsumedConcurrently: HOT_TOPIC_PARTITIONS,
        eachBatch: async ({ batch }) => {
          await this.applyOrSkip(await this.read(batch.partition, batch.messages), batch.partition);
          this.consumed.set(batch.partition, Number(batch.lastOffset()) + 1);
        },
      },
    });
    await this.consumer.start();
  }

  /** The batch's transaction events; one bad message must not stop the ledger: it is dead-lettered, and the rest go on. */
  private async read(partition: number, messages: KafkaMessage[]): Promise<Consumed[]> {
    const read: Consumed[] = [];
    for (const m of messages) {
      const e = parseTransactionRecord(m.value?.toString() ?? '');
      if (e.ok) read.push({ events: e.value, message: m });
      else await this.skipped(partition, m, 'malformed', e.reason);
    }
    return read;
  }

  /**
   * Applies the batch in one transaction. When that fails for anything but an outage (the database away:
   * thrown, and kafkajs retries the batch), the events are applied one by one: one the database refuses
   * for its own data (no retry can fix it) is dead-lettered at once, one that fails otherwise after a few
   * retries; the partition moves on.
   */
  private async applyOrSkip(batch: Consumed[], partition: number): Promise<void> {
    try {
      return await this.apply(batch.flatMap((c) => c.events));
    } catch (e) {
      if (classifyFailure(e, isUnstorable) === 'transient') throw e;
    }
    for (const c of batch) {
      const failure = await withRetries(
        () => this.apply(c.events),
        (e) => classifyFailure(e, isUnstorable),
      );
      if (failure)
        await this.skipped(
          partition,
          c.message,
          failure.kind === 'record' ? 'unstorable' : 'failed',
          `${c.events.map((e) => e.type).join(', ')} of ${c.events[0].transactionId}: ${failure.error.message}`,
        );
    }
  }

  private async skipped(partition: number, m: KafkaMessage, reason: DeadLetterReason, why: string): Promise<void> {
    // A rebuild meets the same records again: they are on the dead-letter topic already, and counted once, like the transactions.
    if (this.replaying) {
      this.logger.warn(`rebuild: skipped ${Topics.transactions} partition ${partition} offset ${m.offset} again (${reason}): ${why}`);
      return;
    }
    await this.kafka.deadLetters.send({ group: GROUP, topic: Topics.transactions, partition, offset: m.offset }, m, reason, why);
    this.metrics.m.projectionSkipped.inc({ reason });
  }

  private async stop(): Promise<void> {
    await this.consumer?.stop();
    this.consumer = undefined;
  }

  /**
   * Partitions are projected concurrently and their batches can touch the same
   * counter rows: rows are locked in key order, and a deadlock that still
   * happens is retried (the batch is idempotent).
   */
  async apply(events: TransactionEvent[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.applyOnce(events);
      } catch (e) {
        const code = (e as { code?: string }).code;
        // 23514 here: no partition for a row's month, dropped (by the retention) since this process saw it: made again.
        if (code === '23514' && attempt === 1 && this.months.size > 0) {
          this.months.clear();
          continue;
        }
        if ((code !== '40P01' && code !== '40001') || attempt >= 5) throw e;
        await new Promise((r) => setTimeout(r, 10 * attempt));
      }
    }
  }

  /**
   * Creates the months' partitions this process has not seen yet, each in a statement of its own (outside the batch's
   * transaction: creating a partition locks the whole ledger). Two hubs creating one at once: the second finds it there.
   */
  private async ensurePartitions(days: Iterable<string>): Promise<void> {
    let months: Set<string>;
    try {
      months = new Set([...days].map(monthOf));
    } catch (e) {
      // A day PostgreSQL's calendar cannot name (a year past 9999, say): the event's own data, no retry fixes it.
      throw new UnstorableEvent(`has no month: ${(e as Error).message}`);
    }
    for (const month of months) {
      if (this.months.has(month)) continue;
      try {
        await this.db.query(createPartitionSql(month));
      } catch (e) {
        if (!isAlreadyThere(e)) throw e;
      }
      this.months.add(month);
    }
  }

  /** ANALYZE of the months that grew enough (AnalyzeSchedule says why); a failure is logged, never the batch's. */
  private async analyzeIfDue(newRows: LedgerPatch[]): Promise<void> {
    const perMonth = new Map<string, number>();
    for (const p of newRows) if (p.day) perMonth.set(monthOf(p.day), (perMonth.get(monthOf(p.day)) ?? 0) + 1);
    for (const [month, n] of perMonth)
      if (this.analyzeSchedule.wrote(month, n))
        await this.db.query(`ANALYZE ndxp.${partitionName(month)}`).catch((e) => this.logger.warn(`ANALYZE of ${month}'s ledger partition failed: ${(e as Error).message}`));
  }

  private async applyOnce(events: TransactionEvent[]): Promise<void> {
    if (events.length === 0) return;
    const patches = fold(events).sort((a, b) => (a.transaction_id < b.transaction_id ? -1 : 1));
    const ids = patches.map((p) => p.transaction_id);
    // The day a row goes to if it is new and its events do not say (a history without its first event: malformed, since the
    // first event of every transaction carries requestInAt): the Vietnam day of its first event here.
    const fallbackDay = new Map<string, string>();
    try {
      for (const e of events) if (!fallbackDay.has(e.transactionId)) fallbackDay.set(e.transactionId, vietnamDay(e.at));
    } catch (e) {
      throw new UnstorableEvent(`has no day: ${(e as Error).message}`);
    }
    await this.ensurePartitions(patches.map((p) => p.day ?? fallbackDay.get(p.transaction_id)!));
    let newRows: LedgerPatch[] = [];
    const finished = await this.db.transaction(async (tx: EntityManager) => {
      const before: Array<{ transaction_id: string; day: string; outcome: string | null }> = await tx.query(
        `SELECT transaction_id, to_char(day, 'YYYY-MM-DD') AS day, outcome FROM ndxp.transactions WHERE transaction_id = ANY($1::uuid[]) ORDER BY transaction_id FOR UPDATE`,
        [ids],
      );
      // The partition key is in the conflict target: a row that exists keeps its day (its later events, without requestInAt, carry none).
      const dayOf = new Map(before.map((r) => [r.transaction_id, r.day]));
      newRows = patches.filter((p) => !dayOf.has(p.transaction_id));
      for (const p of patches) p.day = dayOf.get(p.transaction_id) ?? p.day ?? fallbackDay.get(p.transaction_id);
      const hadOutcome = new Set(before.filter((r) => r.outcome !== null).map((r) => r.transaction_id));
      await tx.query(this.sql, ledgerParams(patches));
      const newlyFinished = patches.filter((p) => p.outcome && !hadOutcome.has(p.transaction_id)).map((p) => p.transaction_id);
      if (newlyFinished.length === 0) return [];
      const unregistered = unregisteredIn(patches);
      // Made-up identifiers count under 'unknown' (unregisteredIn): junk adds no rows to the statistics. The LGSP of an
      // unregistered client is the request's own say (a made-up member code), so it is 'unknown' too.
      await tx.query(COUNT_FINISHED, [newlyFinished, unregistered.clients, unregistered.services]);
      // The metrics count a transaction once, when it first finished: a rebuild has nothing to add to them.
      if (this.replaying) return [];
      return tx.query(
        `SELECT coalesce(client, '') AS client, coalesce(service, '') AS service, coalesce(provider, '') AS provider, outcome,
                coalesce(lgsp, '') AS lgsp, duration_ms AS "durationMs"
         FROM ndxp.transactions WHERE transaction_id = ANY($1::uuid[])`,
        [newlyFinished],
      );
    });
    this.eventsApplied += events.length;
    await this.analyzeIfDue(newRows);
    if (finished.length && !this.replaying) this.metrics.finished(finished);
  }

  /** Per partition: records on the topic not yet projected. */
  async lag(): Promise<{ total: number; partitions: Array<{ partition: number; high: number; consumed: number }> }> {
    // What this process has applied is fresher than the committed offsets (kafkajs commits once a batch is applied).
    const partitions = (await this.kafka.partitionOffsets(GROUP, Topics.transactions)).map((o) => {
      const mine = this.consumed.get(o.partition) ?? Math.max(0, o.committed);
      return { partition: o.partition, high: o.high, consumed: Math.max(mine, o.low) };
    });
    return { total: partitions.reduce((s, p) => s + Math.max(0, p.high - p.consumed), 0), partitions };
  }

  waitCaughtUp(timeoutMs: number): Promise<void> {
    return waitUntilCaughtUp('projection', 'events', async () => (await this.lag()).total, timeoutMs);
  }

  /** Drops the read models and replays the topic from offset zero (rebuildFromZero: the offsets reset first, then the tables emptied). */
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
          await this.db.query('TRUNCATE ndxp.transactions, ndxp.daily_counters, ndxp.monthly_counters');
          this.consumed.clear();
        },
        waitCaughtUp: (ms) => this.waitCaughtUp(ms),
        replaying: (on) => {
          this.replaying = on;
          if (on) before = this.eventsApplied;
        },
      },
      timeoutMs,
    );
    this.logger.log(`rebuilt the ledger from offset zero: ${this.eventsApplied - before} events in ${Date.now() - started} ms`);
    return { events: this.eventsApplied - before, ms: Date.now() - started };
  }
}
