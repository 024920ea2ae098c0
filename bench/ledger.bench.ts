import { mkdirSync, writeFileSync } from 'fs';
import { loadavg } from 'os';
import { join } from 'path';
import { DataSource } from 'typeorm';
import { dropDatabase, ensureDatabase, repoRoot } from '@ndxp/infra';
import { LedgerReader, openDatabase } from '@ndxp/platform';
import { LedgerService } from '../apps/ndxp/src/ledger/ledger.service';
import { NDXP_MIGRATIONS } from '../apps/ndxp/src/migrations';
import { agencyCodes, dayAfter, fillLedger } from '../tools/ledger/fill';
import { monthOf } from '../apps/ndxp/src/projection/partitions';
import { percentile } from '../tools/load/open-load';

/**
 * Issue #12, "a ledger for a year": into a throwaway database (migrated like the hub's), fills ROWS synthetic
 * transactions over DAYS days (by default 10 M over the 30 days of September 2022: 333 000 a day, the national 2022
 * average being 2.36 M; a busy client's day still holds far more rows than the ledger counts, 10 000, and the month's
 * statistics cover a whole month) with the ledger-fill generator, then times
 * QUERIES ledger pages filtered by client and day (LedgerService.find: the hub's own SQL, its count and page) and
 * QUERIES month statistics (LedgerService.monthly, the whole month, from the monthly counters), one at a time.
 * Target: p99 under 50 ms each. The database is dropped at the end (--keep to keep it).
 *
 *   npm run bench:ledger [-- --rows 10000000] [-- --days 30] [-- --queries 200] [-- --from 2022-09-01] [-- --keep]
 */

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const ROWS = Number(arg('rows', '10000000'));
const DAYS = Number(arg('days', '30'));
const QUERIES = Number(arg('queries', '200'));
const FROM = arg('from', '2022-09-01');
const TARGET_MS = 50;
const ADMIN: LedgerReader = { kind: 'admin' };
const log = (l: string) => console.log(l);

async function timed(n: number, query: (i: number) => Promise<unknown>) {
  for (let i = 0; i < Math.min(5, n); i++) await query(i); // warm the caches and the plans
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await query(i);
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  ms.sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 100) / 100;
  return { queries: n, p50: r(percentile(ms, 50)), p99: r(percentile(ms, 99)), max: r(ms[ms.length - 1]), met: percentile(ms, 99) < TARGET_MS };
}

/** A deterministic pseudo-random sequence (the runs comparable). */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

async function main() {
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const url = base.replace(/\/[A-Za-z0-9_]+(\?.*)?$/, `/ndxp_ledger_bench_${Date.now()}$1`);
  const days = DAYS;
  const perDay = Math.ceil(ROWS / days);
  await ensureDatabase(url);
  let db: DataSource | undefined;
  try {
    db = await openDatabase({ url, schema: 'ndxp', entities: [], migrations: NDXP_MIGRATIONS });
    log(`ledger bench: ${(days * perDay).toLocaleString('en-US')} rows, ${days} days × ${perDay.toLocaleString('en-US')} from ${FROM}, ${QUERIES} queries of each kind`);
    let lastLog = 0;
    const session = db.createQueryRunner();
    await session.connect();
    const fill = await fillLedger(session, {
      from: FROM,
      days,
      perDay,
      progress: (n) => {
        if (Date.now() - lastLog < 10_000 && n < days * perDay) return;
        lastLog = Date.now();
        log(`  filled ${n.toLocaleString('en-US')} rows`);
      },
      note: (l) => log(`  ${l}`),
    });
    await session.release();
    const fillRate = Math.round(fill.rows / (fill.ms / 1000));
    log(
      `fill: ${fill.rows.toLocaleString('en-US')} rows in ${(fill.ms / 1000).toFixed(1)} s (${fillRate.toLocaleString('en-US')} rows/s), VACUUM ANALYZE ${(fill.vacuumMs / 1000).toFixed(1)} s`,
    );

    const [size] = await db.query(
      `SELECT sum(pg_table_size(relid))::bigint AS heap, sum(pg_indexes_size(relid))::bigint AS indexes, count(*) FILTER (WHERE isleaf)::int AS partitions
       FROM pg_partition_tree('ndxp.transactions')`,
    );
    const [counters] = await db.query(
      `SELECT count(*)::int AS rows, sum(count)::bigint AS total, pg_total_relation_size('ndxp.daily_counters')::bigint AS bytes,
              (SELECT count(*) FROM ndxp.monthly_counters)::int AS "monthlyRows", (SELECT sum(count) FROM ndxp.monthly_counters)::bigint AS "monthlyTotal"
       FROM ndxp.daily_counters`,
    );
    if (Number(counters.total) !== fill.rows || Number(counters.monthlyTotal) !== fill.rows)
      throw new Error(`counters count ${counters.total} (daily) and ${counters.monthlyTotal} (monthly) transactions, the ledger has ${fill.rows}`);
    const mb = (b: unknown) => Math.round(Number(b) / 2 ** 20);
    log(
      `ledger: heap ${mb(size.heap)} MB, indexes ${mb(size.indexes)} MB, ${size.partitions} partition(s); daily counters: ${counters.rows} rows (${mb(counters.bytes)} MB), monthly: ${counters.monthlyRows}`,
    );

    // The service's statements, recorded to time them in the server too (EXPLAIN ANALYZE): what the database needs, apart from
    // the waits for a core the machine's other work makes (the client-side timings have both).
    const recorded: Array<{ sql: string; params?: unknown[] }> = [];
    const recording = {
      query: (sql: string, params?: unknown[]) => {
        recorded.push({ sql, params });
        return db!.query(sql, params);
      },
    } as unknown as DataSource;
    const ledger = new LedgerService(recording);
    /** The slowest of the statements one call runs (the page's two run side by side), planning and execution, in the server. */
    const inServer = async (call: () => Promise<unknown>): Promise<void> => {
      recorded.length = 0;
      await call();
      let worst = 0;
      for (const st of recorded.splice(0)) {
        const [{ 'QUERY PLAN': plans }] = await db!.query(`EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ${st.sql}`, st.params);
        worst = Math.max(worst, plans[0]['Planning Time'] + plans[0]['Execution Time']);
      }
      serverMs.push(worst);
    };
    let serverMs: number[] = [];
    const serverSummary = () => {
      const sorted = [...serverMs].sort((a, b) => a - b);
      serverMs = [];
      return { p50: Math.round(percentile(sorted, 50) * 100) / 100, p99: Math.round(percentile(sorted, 99) * 100) / 100 };
    };
    const agencies = agencyCodes();
    const rnd = random(12);
    // Clients drawn as the traffic is (agency i of n as n·u²): the busy clients, whose days hold the most rows, asked the most.
    const pageArgs = Array.from({ length: QUERIES + 5 }, () => {
      const client = `VN/GOV/${agencies[Math.floor(rnd() ** 2 * agencies.length)]}/MOTCUA`;
      const day = dayAfter(FROM, Math.floor(rnd() * days));
      return { client, from: `${day}T00:00:00+07:00`, to: `${dayAfter(day)}T00:00:00+07:00` };
    });
    let rowsSeen = 0;
    const pages = await timed(QUERIES, async (i) => {
      const r = await ledger.find(pageArgs[i], ADMIN);
      rowsSeen = Math.max(rowsSeen, r.total);
    });
    log(
      `ledger page (client + day, 50 rows and the total): p50 ${pages.p50} ms, p99 ${pages.p99} ms, max ${pages.max} ms — ${pages.met ? 'MET' : 'NOT MET'} (p99 < ${TARGET_MS} ms); largest total ${rowsSeen.toLocaleString('en-US')} (counted up to 10,000)`,
    );
    for (let i = 0; i < QUERIES; i++) await inServer(() => ledger.find(pageArgs[i], ADMIN));
    const pagesServer = serverSummary();
    log(`  in the server (EXPLAIN ANALYZE, the slower of the count and the page): p50 ${pagesServer.p50} ms, p99 ${pagesServer.p99} ms`);
    const busiest = `VN/GOV/${agencies[0]}/MOTCUA`;
    const busiestPage = await timed(Math.min(QUERIES, 50), () => ledger.find({ client: busiest, from: `${FROM}T00:00:00+07:00`, to: `${dayAfter(FROM)}T00:00:00+07:00` }, ADMIN));
    log(`  the busiest client's day (${busiest}): p50 ${busiestPage.p50} ms, p99 ${busiestPage.p99} ms`);

    const month = monthOf(FROM);
    let monthTotal = 0;
    const stats = await timed(QUERIES, async () => {
      monthTotal = (await ledger.monthly({ month }, ADMIN)).total;
    });
    log(
      `month statistics (${month}, all clients): p50 ${stats.p50} ms, p99 ${stats.p99} ms, max ${stats.max} ms — ${stats.met ? 'MET' : 'NOT MET'}; ${monthTotal.toLocaleString('en-US')} transactions`,
    );

    for (let i = 0; i < QUERIES; i++) await inServer(() => ledger.monthly({ month }, ADMIN));
    const statsServer = serverSummary();
    log(`  in the server: p50 ${statsServer.p50} ms, p99 ${statsServer.p99} ms`);

    const dir = join(repoRoot(), 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `ledger-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    const result = {
      rows: fill.rows,
      days,
      perDay,
      from: FROM,
      fill: { ms: fill.ms, rowsPerS: fillRate, vacuumMs: fill.vacuumMs },
      table: { heapBytes: Number(size.heap), indexBytes: Number(size.indexes), partitions: size.partitions },
      counters: { rows: counters.rows, bytes: Number(counters.bytes), monthlyRows: counters.monthlyRows },
      targetMs: TARGET_MS,
      ledgerPage: { ...pages, largestClientDayRows: rowsSeen, inServer: pagesServer },
      busiestClientDayPage: busiestPage,
      monthStatistics: { ...stats, month, transactions: monthTotal, inServer: statsServer },
      loadAverage: loadavg(),
    };
    log(
      `load average at the end: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} (the machine's other work is in the timings)`,
    );
    writeFileSync(file, JSON.stringify(result, null, 2));
    log(`results: ${file}`);
    if (!pages.met || !stats.met) process.exitCode = 1;
  } finally {
    await db?.destroy().catch(() => undefined);
    if (process.argv.includes('--keep')) log(`kept ${url.replace(/\/\/[^@]*@/, '//')}`);
    else await dropDatabase(url);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
