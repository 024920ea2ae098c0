/**
 * The ledger (`ndxp.transactions`) is partitioned by month of `day` (the Vietnam calendar day of the request):
 * one partition per month, named `transactions_YYYY_MM`, created when the first row of a month comes (there is no
 * DEFAULT partition: a default holding rows of a month would make that month's CREATE fail). Retention drops
 * whole partitions. Pure: names, bounds and the retention cut-off; the SQL is run by the projector and the retention.
 */

/** A month 'YYYY-MM' of a day 'YYYY-MM-DD'. */
export function monthOf(day: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`not a day YYYY-MM-DD: ${day}`);
  return day.slice(0, 7);
}

/** The month `n` months after `month` (n may be negative). */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  const i = y * 12 + (m - 1) + n;
  return `${String(Math.floor(i / 12)).padStart(4, '0')}-${String((i % 12) + 1).padStart(2, '0')}`;
}

/** The partition holding a month's rows. */
export function partitionName(month: string): string {
  if (!/^\d{4}-\d{2}$/.test(month)) throw new Error(`not a month YYYY-MM: ${month}`);
  return `transactions_${month.replace('-', '_')}`;
}

/** The month a partition holds, from its name; undefined for a table not named by partitionName. */
export function monthOfPartition(name: string): string | undefined {
  const m = /^transactions_(\d{4})_(\d{2})$/.exec(name);
  return m ? `${m[1]}-${m[2]}` : undefined;
}

/** A month's range of days: from its first day, inclusive, to the next month's first, exclusive. */
export function monthBounds(month: string): { from: string; to: string } {
  return { from: `${month}-01`, to: `${addMonths(month, 1)}-01` };
}

/** The statement creating a month's partition; IF NOT EXISTS, so a second creator does nothing (or fails 42P07 in a race, see isAlreadyThere). */
export function createPartitionSql(month: string): string {
  const { from, to } = monthBounds(month);
  return `CREATE TABLE IF NOT EXISTS ndxp.${partitionName(month)} PARTITION OF ndxp.transactions FOR VALUES FROM ('${from}') TO ('${to}')`;
}

/** What two sessions creating one partition at once may get: duplicate_table, or a unique violation in the catalogue. */
export function isAlreadyThere(e: unknown): boolean {
  const code = (e as { code?: unknown } | undefined)?.code;
  return code === '42P07' || code === '23505';
}

/**
 * The first month kept when `months` months are retained on `today` (a Vietnam day): the current month and the
 * `months - 1` before it. Undefined when everything is kept (0).
 */
export function firstMonthKept(today: string, months: number): string | undefined {
  if (!Number.isInteger(months) || months < 0) throw new Error(`retention must be a whole number of months >= 0, not ${months}`);
  if (months === 0) return undefined;
  return addMonths(monthOf(today), -(months - 1));
}

/** The partitions (by name) that retention drops: those of months before the first kept, oldest first. */
export function partitionsToDrop(partitions: string[], today: string, months: number): string[] {
  const first = firstMonthKept(today, months);
  if (!first) return [];
  return partitions
    .map((name) => ({ name, month: monthOfPartition(name) }))
    .filter((p): p is { name: string; month: string } => p.month !== undefined && p.month < first)
    .sort((a, b) => (a.month < b.month ? -1 : 1))
    .map((p) => p.name);
}

/**
 * When to ANALYZE a month's partition, by the rows the projector has written to it: at 1,000, then each time the
 * count doubles (so a month of millions is analyzed some twenty times in all). The ledger's primary key is
 * (transaction_id, day), not unique on transaction_id alone; a partition never analyzed (autovacuum off, as on this
 * project's machine, or not yet come round) has no statistics telling the planner that an id matches one row, and the
 * projector's `transaction_id = ANY($1)` over a batch's 500 ids became a sequential scan: 504 ms at 1 M rows, 6 ms
 * after ANALYZE (a national day's first projection slowed from 12,000 to about 1,100 transactions a second).
 */
export class AnalyzeSchedule {
  private readonly written = new Map<string, { rows: number; due: number }>();

  constructor(private readonly first = 1000) {}

  /** Counts `rows` written to `month`; true when the partition is due for ANALYZE now. */
  wrote(month: string, rows: number): boolean {
    const m = this.written.get(month) ?? { rows: 0, due: this.first };
    m.rows += rows;
    this.written.set(month, m);
    if (m.rows < m.due) return false;
    m.due = m.rows * 2;
    return true;
  }
}
