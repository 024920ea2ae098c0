import { Injectable, NotFoundException } from '@nestjs/common';
import { SERVICES, serviceKeyOf } from '@ndxp/contracts';
import { DataSource } from 'typeorm';
import { LedgerReader, rowFor } from '@ndxp/platform';
import { monthBounds } from '../projection/partitions';
import { LedgerQueryDto, StatisticsQueryDto } from './ledger.dto';

/** The most rows a ledger query counts (its `total`); more, and the total says "at least". */
export const COUNT_CAP = 10_000;

const DATABASE_OF = new Map(SERVICES.map((s) => [serviceKeyOf(s), s.database]));

function camel(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]));
}

/** The rows a reader may see, as a column and its value: a client its own, an LGSP's operator its LGSP's; the admin all (none). */
export function readerScope(reader: LedgerReader): { column: 'client' | 'lgsp'; value: string } | undefined {
  if (reader.kind === 'client') return { column: 'client', value: reader.client };
  if (reader.kind === 'operator') return { column: 'lgsp', value: reader.lgsp };
  return undefined;
}

/** The days a statistics query covers, inclusive: `from` and `to`, within `month` when one is given. */
export function statisticsDays(q: StatisticsQueryDto): { from?: string; to?: string } {
  if (!q.month) return { from: q.from, to: q.to };
  const { from, to } = monthBounds(q.month);
  const last = new Date(Date.parse(`${to}T00:00:00Z`) - 24 * 3600_000).toISOString().slice(0, 10);
  return { from: q.from && q.from > from ? q.from : from, to: q.to && q.to < last ? q.to : last };
}

/** True when the days from `from` to `to` (inclusive, either open) are whole months: the first day of one to the last of one. */
export function wholeMonths(from: string | undefined, to: string | undefined): boolean {
  const last = (day: string) => monthBounds(day.slice(0, 7)).to === new Date(Date.parse(`${day}T00:00:00Z`) + 24 * 3600_000).toISOString().slice(0, 10);
  return (!from || from.endsWith('-01')) && (!to || last(to));
}

/** A row of one of the three groupings: the other two columns null. */
interface CounterRow {
  period: string;
  service: string | null;
  outcome: string | null;
  agency: string | null;
  count: string;
}

@Injectable()
export class LedgerService {
  constructor(private readonly db: DataSource) {}

  /** A client's or an operator's query is limited to its scope (a `client` or `lgsp` filter outside it finds nothing). */
  async find(q: LedgerQueryDto, reader: LedgerReader) {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    const scope = readerScope(reader);
    if (scope) add(`${scope.column} = ?`, scope.value);
    if (q.client) add('client = ?', q.client);
    if (q.service) add('service = ?', q.service);
    if (q.lgsp) add('lgsp = ?', q.lgsp);
    if (q.outcome) add('outcome = ?', q.outcome);
    if (q.xRoadId) add('x_road_id = ?', q.xRoadId);
    if (q.from) add('request_in_at >= ?::timestamptz', q.from);
    if (q.to) add('request_in_at < ?::timestamptz', q.to);
    const page = q.page ?? 1;
    const pageSize = q.pageSize ?? 50;
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    // Counted up to COUNT_CAP rows: past that, `total` is COUNT_CAP and a lower bound (totalExact false). A busy client's day at national
    // scale holds 200 000 rows; counting them all would cost every page several times the 12 ms 30 000 took here, for a number nobody pages through.
    // The count and the page side by side, on two connections (each its own snapshot, as they were one after the other).
    const [[{ total }], rows]: [Array<{ total: number }>, Array<Record<string, unknown>>] = await Promise.all([
      this.db.query(`SELECT count(*)::int AS total FROM (SELECT 1 FROM ndxp.transactions ${filter} LIMIT ${COUNT_CAP + 1}) AS capped`, params),
      this.db.query(
        `SELECT * FROM ndxp.transactions ${filter} ORDER BY request_in_at DESC NULLS LAST, transaction_id
         LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`,
        params,
      ),
    ]);
    return { total: Math.min(total, COUNT_CAP), totalExact: total <= COUNT_CAP, page, pageSize, items: rows.map((r) => rowFor(reader, camel(r))) };
  }

  /** A transaction outside the reader's scope is not found, as if it did not exist. */
  async one(transactionId: string, reader: LedgerReader) {
    if (!/^[0-9a-f-]{36}$/i.test(transactionId)) throw new NotFoundException(`transaction ${transactionId} not found`);
    const [row] = await this.db.query('SELECT * FROM ndxp.transactions WHERE transaction_id = $1', [transactionId]);
    const scope = readerScope(reader);
    if (!row || (scope && row[scope.column] !== scope.value)) throw new NotFoundException(`transaction ${transactionId} not found`);
    return rowFor(reader, camel(row));
  }

  /**
   * Totals per period in the shape of the government progress reports: a
   * total, then by national database, by outcome, and by LGSP client agency.
   */
  private async periods(unit: 'day' | 'month', q: StatisticsQueryDto, reader: LedgerReader) {
    const params: unknown[] = [];
    const where: string[] = [];
    const scope = readerScope(reader);
    if (scope) {
      params.push(scope.value);
      where.push(`${scope.column} = $${params.length}`);
    }
    const { from, to } = statisticsDays(q);
    // Whole months are read from the monthly counters (a month: some 1,500 rows, not 30 days of them); parts of months from the daily ones.
    const monthly = unit === 'month' && wholeMonths(from, to);
    const column = monthly ? 'month' : 'day';
    if (from) {
      params.push(from);
      where.push(`${column} >= $${params.length}::date`);
    }
    if (to) {
      params.push(to);
      where.push(`${column} <= $${params.length}::date`);
    }
    const period = unit === 'day' ? `to_char(day, 'YYYY-MM-DD')` : `to_char(${column}, 'YYYY-MM')`;
    // Three groupings in one pass (by service, by outcome, by client agency): a period is some 100 rows to read, not one
    // per counter (1,500 a day). A row's grouping is the one column of the three it has (all three are NOT NULL in the tables).
    const rows: CounterRow[] = await this.db.query(
      `SELECT period, service, outcome, agency, sum(count)::bigint AS count FROM (
         SELECT ${period} AS period, service, outcome, CASE WHEN client LIKE '%/%/%' THEN split_part(client, '/', 3) ELSE 'unknown' END AS agency, count
         FROM ${monthly ? 'ndxp.monthly_counters' : 'ndxp.daily_counters'} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ) AS c
       GROUP BY GROUPING SETS ((period, service), (period, outcome), (period, agency)) ORDER BY period`,
      params,
    );
    const out = new Map<
      string,
      {
        period: string;
        total: number;
        byDatabase: Record<string, number>;
        byOutcome: Record<string, number>;
        byService: Record<string, number>;
        byClientAgency: Record<string, number>;
      }
    >();
    for (const r of rows) {
      const n = Number(r.count);
      const p = out.get(r.period) ?? { period: r.period, total: 0, byDatabase: {}, byOutcome: {}, byService: {}, byClientAgency: {} };
      out.set(r.period, p);
      if (r.service !== null) {
        const db = DATABASE_OF.get(r.service) ?? 'unknown';
        p.byDatabase[db] = (p.byDatabase[db] ?? 0) + n;
        p.byService[r.service || 'unknown'] = (p.byService[r.service || 'unknown'] ?? 0) + n;
      } else if (r.outcome !== null) {
        p.total += n;
        p.byOutcome[r.outcome] = (p.byOutcome[r.outcome] ?? 0) + n;
      } else if (r.agency !== null) p.byClientAgency[r.agency] = (p.byClientAgency[r.agency] ?? 0) + n;
    }
    const periods = [...out.values()];
    return { unit, timezone: 'Asia/Ho_Chi_Minh', total: periods.reduce((s, p) => s + p.total, 0), periods };
  }

  daily(q: StatisticsQueryDto, reader: LedgerReader) {
    return this.periods('day', q, reader);
  }

  monthly(q: StatisticsQueryDto, reader: LedgerReader) {
    return this.periods('month', q, reader);
  }
}
