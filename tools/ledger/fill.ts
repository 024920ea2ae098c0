import { readFileSync } from 'fs';
import { join } from 'path';
import { SERVICES, serviceKeyOf } from '@ndxp/contracts';
import { repoRoot } from '@ndxp/infra';
import { monthBounds, monthOf, partitionName } from '../../apps/ndxp/src/projection/partitions';

/** What the generator needs of a database connection: one session (pg's Client, TypeORM's QueryRunner), for its SET. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

export interface FillOptions {
  /** The first day (Vietnam calendar), YYYY-MM-DD. */
  from: string;
  days: number;
  perDay: number;
  /** Rows per statement; a day is written in chunks of this many (progress between them). */
  chunk?: number;
  /** Called after each chunk with the rows written so far. */
  progress?: (rows: number) => void;
  /** Told what a long step without rows is (building a month's indexes). */
  note?: (line: string) => void;
}

/** A query's rows, whether the connection gives them (TypeORM) or a result holding them (pg). */
function rowsOf<T>(r: unknown): T[] {
  return Array.isArray(r) ? (r as T[]) : (r as { rows: T[] }).rows;
}

/** The agency codes of data/domain/agency-codes.csv (ministries and provinces): the LGSPs, each with its one-stop-shop client. */
export function agencyCodes(root = repoRoot()): string[] {
  const lines = readFileSync(join(root, 'data/domain/agency-codes.csv'), 'utf8').trim().split('\n').slice(1);
  return lines.map((l) => l.split(',')[0]).filter((c) => /^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$/.test(c));
}

/** A day after `day` (YYYY-MM-DD). */
export function dayAfter(day: string, n = 1): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 24 * 3600_000).toISOString().slice(0, 10);
}

/**
 * One statement: `count` synthetic finished transactions of `day` into the ledger, and their counts added to the daily
 * and monthly counters from the very rows inserted (RETURNING), so the statistics equal the ledger. Generated in the server
 * (generate_series, gen_random_uuid): nothing crosses the wire but the statement, the fastest way in (faster than
 * COPY, which would ship every row). The traffic, assumed (no published breakdown): clients skewed (agency i of n
 * drawn as n·u², a few big provinces and ministries carry most of it), the population database most called
 * (citizen lookup 45 %, verify 25 %, insurance 20 %, enterprise 10 %), office hours (80 % between 07:00 and 17:30),
 * 96 % answered, 2 % provider failures, 1 % timeouts, 1 % refused at the LGSP.
 */
export function fillSql(table = 'ndxp.transactions'): string {
  return `
WITH g AS (
  SELECT gen_random_uuid() AS id,
         ($2::text[])[1 + floor(power(random(), 2) * array_length($2::text[], 1))::int] AS lgsp,
         CASE WHEN random() < 0.45 THEN 1 WHEN random() < 0.45 THEN 2 WHEN random() < 0.66 THEN 4 ELSE 3 END AS s,
         ($1::date::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')
           + CASE WHEN random() < 0.8 THEN interval '7 hours' + random() * interval '10 hours 30 minutes' ELSE random() * interval '24 hours' END AS t0,
         random() AS r,
         (15 + power(random(), 3) * 2000)::int AS dur,
         (200 + random() * 2000)::int AS size
  FROM generate_series(1, $5::int) OFFSET 0
), o AS (
  SELECT *, CASE WHEN r < 0.96 THEN 'success' WHEN r < 0.98 THEN 'failed' WHEN r < 0.99 THEN 'timeout' ELSE 'rejected' END AS outcome FROM g
), ins AS (
  INSERT INTO ${table} (transaction_id, x_road_id, day, lgsp, client, service, provider, request_size, request_in_at, routed_at,
    provider_in_at, provider_out_at, provider_status, response_size, rejected_at_stage, outcome, succeeded, status_code, fault_code, fault_string, duration_ms, completed_at)
  SELECT id, 'x-' || left(id::text, 8), $1::date, lgsp, 'VN/GOV/' || lgsp || '/MOTCUA', ($3::text[])[s], ($4::text[])[s], size, t0,
         CASE WHEN outcome <> 'rejected' THEN t0 + interval '3 ms' END,
         CASE WHEN outcome IN ('success', 'failed') THEN t0 + interval '5 ms' END,
         CASE WHEN outcome IN ('success', 'failed') THEN t0 + (dur - 3) * interval '1 ms' END,
         CASE outcome WHEN 'success' THEN 200 WHEN 'failed' THEN 500 END,
         CASE WHEN outcome = 'success' THEN size * 3 END,
         CASE WHEN outcome = 'rejected' THEN 'lgsp' END,
         outcome, outcome = 'success',
         CASE outcome WHEN 'success' THEN 200 WHEN 'failed' THEN 500 WHEN 'timeout' THEN 504 ELSE 403 END,
         CASE outcome WHEN 'failed' THEN 'Server.ServiceFailed' WHEN 'timeout' THEN 'Server.ServerProxy.Timeout' WHEN 'rejected' THEN 'Server.ServerProxy.AccessDenied' END,
         CASE outcome WHEN 'failed' THEN 'provider error' WHEN 'timeout' THEN 'no answer in time' WHEN 'rejected' THEN 'access denied' END,
         dur, t0 + dur * interval '1 ms'
  FROM o
  RETURNING day, lgsp, client, service, provider, outcome
), daily AS (
  INSERT INTO ndxp.daily_counters (day, lgsp, client, service, provider, outcome, count)
  SELECT day, lgsp, client, service, provider, outcome, count(*) FROM ins GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (day, lgsp, client, service, provider, outcome) DO UPDATE SET count = ndxp.daily_counters.count + excluded.count
)
INSERT INTO ndxp.monthly_counters (month, lgsp, client, service, provider, outcome, count)
SELECT date_trunc('month', day)::date, lgsp, client, service, provider, outcome, count(*) FROM ins GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
ON CONFLICT (month, lgsp, client, service, provider, outcome) DO UPDATE SET count = ndxp.monthly_counters.count + excluded.count`;
}

/** The services in the order fillSql's CASE numbers them: 1 citizen lookup, 2 verify, 3 enterprise, 4 insurance. */
function services(): { keys: string[]; providers: string[] } {
  const order = ['citizen-lookup', 'citizen-verify', 'enterprise-lookup', 'health-insurance-card'];
  const list = order.map((code) => SERVICES.find((s) => s.serviceCode === code)!);
  return { keys: list.map(serviceKeyOf), providers: list.map((s) => s.provider) };
}

/**
 * Fills the ledger with `days` × `perDay` synthetic transactions from `from`, then VACUUM ANALYZE (the visibility map
 * lets a count be read off an index; the planner gets statistics). A month with no partition yet is loaded the
 * bulk way: into a table of its own without indexes, which then becomes the month's partition (ATTACH PARTITION
 * builds the ledger's indexes on it, sorted, once; a CHECK on its days spares the scan); a month whose partition
 * exists (rows there already) gets its rows inserted into it, indexes and all, far slower. Meant for a ledger
 * no hub is projecting into: a hub making the same month's partition meanwhile makes the ATTACH fail.
 * Returns the rows written and the time it took (ms), without the vacuum, and the vacuum's.
 */
export async function fillLedger(db: Queryable, o: FillOptions): Promise<{ rows: number; ms: number; vacuumMs: number; attached: string[] }> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(o.from)) throw new Error(`--from must be a day YYYY-MM-DD, not ${o.from}`);
  if (!(o.days >= 1 && o.perDay >= 1)) throw new Error('days and rows per day must be at least 1');
  const agencies = agencyCodes();
  const { keys, providers } = services();
  const chunk = o.chunk ?? 500_000;
  const started = Date.now();
  await db.query(`SET maintenance_work_mem = '256MB'`);
  let rows = 0;
  const attached: string[] = [];
  const byMonth = new Map<string, string[]>();
  for (let d = 0; d < o.days; d++) {
    const day = dayAfter(o.from, d);
    byMonth.set(monthOf(day), [...(byMonth.get(monthOf(day)) ?? []), day]);
  }
  for (const [month, days] of byMonth) {
    const name = partitionName(month);
    const { from, to } = monthBounds(month);
    const [{ exists }] = rowsOf<{ exists: boolean }>(await db.query(`SELECT to_regclass($1) IS NOT NULL AS exists`, [`ndxp.${name}`]));
    const table = exists ? 'ndxp.transactions' : `ndxp.${name}`;
    if (!exists) {
      await db.query(`CREATE TABLE ${table} (LIKE ndxp.transactions INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
      await db.query(`ALTER TABLE ${table} ADD CONSTRAINT ${name}_days CHECK (day >= '${from}' AND day < '${to}')`);
    }
    for (const day of days)
      for (let left = o.perDay; left > 0; left -= chunk) {
        const n = Math.min(chunk, left);
        await db.query(fillSql(table), [day, agencies, keys, providers, n]);
        rows += n;
        o.progress?.(rows);
      }
    if (!exists) {
      o.note?.(`${month}: attaching ${name} as the month's partition (its indexes built now)`);
      await db.query(`ALTER TABLE ndxp.transactions ATTACH PARTITION ${table} FOR VALUES FROM ('${from}') TO ('${to}')`);
      await db.query(`ALTER TABLE ${table} DROP CONSTRAINT ${name}_days`);
      attached.push(name);
    }
  }
  const ms = Date.now() - started;
  await db.query('VACUUM (ANALYZE) ndxp.transactions');
  await db.query('ANALYZE ndxp.daily_counters, ndxp.monthly_counters');
  return { rows, ms, vacuumMs: Date.now() - started - ms, attached };
}
