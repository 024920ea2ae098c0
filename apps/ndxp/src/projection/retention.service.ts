import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NdxpConfig } from '../ndxp.config';
import { vietnamDay } from './ledger-rows';
import { partitionsToDrop } from './partitions';

const DAY_MS = 24 * 3600_000;

/**
 * LEDGER_RETENTION_MONTHS: drops the ledger's partitions of months older than that, at start and once a day, whole
 * (DROP TABLE: no row deleted one by one, no dead tuples left to vacuum). The daily counters stay: the statistics of
 * a dropped month are still served. A rebuild from the topic makes the old months again, until the next daily pass.
 */
@Injectable()
export class LedgerRetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LedgerRetentionService.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: DataSource,
    @Optional() private readonly config?: NdxpConfig,
  ) {}

  get months(): number {
    return this.config?.LEDGER_RETENTION_MONTHS ?? 0;
  }

  onApplicationBootstrap(): void {
    if (this.months === 0) return;
    const run = () => void this.apply().catch((e: Error) => this.logger.error(`ledger retention failed: ${e.message}`));
    run();
    this.timer = setInterval(run, DAY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Drops the partitions past the retention on `today` (a Vietnam day); returns their names. */
  async apply(months = this.months, today = vietnamDay(Date.now())): Promise<string[]> {
    const rows: Array<{ name: string }> = await this.db.query(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'ndxp.transactions'::regclass`,
    );
    const drop = partitionsToDrop(
      rows.map((r) => r.name),
      today,
      months,
    );
    for (const name of drop) {
      await this.db.query(`DROP TABLE IF EXISTS ndxp.${name}`);
      this.logger.log(`ledger retention (${months} months): dropped partition ndxp.${name}; its daily counters kept`);
    }
    return drop;
  }
}
