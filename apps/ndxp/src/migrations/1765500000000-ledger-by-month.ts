import { MigrationInterface, QueryRunner } from 'typeorm';
import { createPartitionSql } from '../projection/partitions';

/**
 * The ledger partitioned by month of `day` (PostgreSQL declarative partitioning, RANGE): retention drops a
 * month's partition whole. The primary key must hold the partition key: (transaction_id, day). The projector
 * creates a month's partition when its first row comes; this creates the partitions of the rows there are,
 * and the current month's. A row without a day (a history without its first event) gets the Vietnam day of
 * its request, else of its completion, else today's. The time indexes are in the order the ledger reads
 * (newest first, then by id): a page is read off the index without sorting the matching rows.
 */
export class LedgerByMonth1765500000000 implements MigrationInterface {
  name = 'LedgerByMonth1765500000000';

  async up(q: QueryRunner): Promise<void> {
    const day = `coalesce(day, (request_in_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, (completed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date)`;
    await q.query('CREATE TABLE ndxp.transactions_by_month (LIKE ndxp.transactions INCLUDING DEFAULTS) PARTITION BY RANGE (day)');
    await q.query('ALTER TABLE ndxp.transactions_by_month ALTER COLUMN day SET NOT NULL');
    const months: Array<{ month: string }> = await q.query(
      `SELECT DISTINCT to_char(d, 'YYYY-MM') AS month FROM (SELECT ${day} AS d FROM ndxp.transactions
       UNION ALL SELECT (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date) AS days`,
    );
    // The partitions are created under the new table's name, then the table takes the ledger's.
    for (const { month } of months) await q.query(createPartitionSql(month).replace('PARTITION OF ndxp.transactions ', 'PARTITION OF ndxp.transactions_by_month '));
    const cols: Array<{ name: string }> = await q.query(
      `SELECT attname AS name FROM pg_attribute WHERE attrelid = 'ndxp.transactions'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    );
    const names = cols.map((c) => c.name);
    await q.query(`INSERT INTO ndxp.transactions_by_month (${names.join(', ')}) SELECT ${names.map((n) => (n === 'day' ? day : n)).join(', ')} FROM ndxp.transactions`);
    await q.query('DROP TABLE ndxp.transactions');
    await q.query('ALTER TABLE ndxp.transactions_by_month RENAME TO transactions');
    await q.query('ALTER TABLE ndxp.transactions ADD CONSTRAINT transactions_pkey PRIMARY KEY (transaction_id, day)');
    await q.query('CREATE INDEX transactions_day ON ndxp.transactions (day)');
    await q.query('CREATE INDEX transactions_client_time ON ndxp.transactions (client, request_in_at DESC NULLS LAST, transaction_id)');
    await q.query('CREATE INDEX transactions_service_time ON ndxp.transactions (service, request_in_at DESC NULLS LAST, transaction_id)');
    await q.query('CREATE INDEX transactions_time ON ndxp.transactions (request_in_at DESC NULLS LAST, transaction_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('CREATE TABLE ndxp.transactions_single (LIKE ndxp.transactions INCLUDING DEFAULTS)');
    await q.query('ALTER TABLE ndxp.transactions_single ALTER COLUMN day DROP NOT NULL');
    await q.query('INSERT INTO ndxp.transactions_single SELECT * FROM ndxp.transactions');
    await q.query('DROP TABLE ndxp.transactions');
    await q.query('ALTER TABLE ndxp.transactions_single RENAME TO transactions');
    await q.query('ALTER TABLE ndxp.transactions ADD CONSTRAINT transactions_pkey PRIMARY KEY (transaction_id)');
    await q.query('CREATE INDEX transactions_day ON ndxp.transactions (day)');
    await q.query('CREATE INDEX transactions_client_time ON ndxp.transactions (client, request_in_at)');
    await q.query('CREATE INDEX transactions_service_time ON ndxp.transactions (service, request_in_at)');
    await q.query('CREATE INDEX transactions_time ON ndxp.transactions (request_in_at)');
  }
}
