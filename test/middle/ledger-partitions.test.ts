import { randomUUID } from 'crypto';
import { DataSource } from 'typeorm';
import { eventIdFor, TransactionEvent } from '@ndxp/contracts';
import { ProjectorService } from '../../apps/ndxp/src/projection/projector.service';
import { LedgerRetentionService } from '../../apps/ndxp/src/projection/retention.service';
import { PROJECTOR_ADMIN_TOKEN, ProjectorStack, startProjectorStack } from './projector-support';

// The middle tier: the ledger partitioned by month (issue #12), the projector against a real broker and a
// throwaway database. Events of September and October 2022 (Vietnam time), a retention pass, the statistics.

const ADMIN_TOKEN = PROJECTOR_ADMIN_TOKEN;
const CLIENT = 'VN/GOV/000.00.00.H26/MOTCUA';
const SERVICE = 'VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup';
const PROVIDER = 'VN/GOV/000.00.00.G01/CSDLQGDC';
/** An instant given in Vietnam time. */
const vn = (local: string) => Date.parse(`${local}+07:00`);

/** A whole exchange, answered success after `durationMs`. */
function exchange(id: string, t0: number, durationMs = 60): TransactionEvent[] {
  const request = { xRoadId: `x-${id.slice(0, 8)}`, lgsp: '000.00.00.H26', client: CLIENT, service: SERVICE, provider: PROVIDER, requestSize: 321, requestInAt: t0 };
  const ev = (type: TransactionEvent['type'], at: number, rest: object) => ({ type, eventId: eventIdFor(id, type), transactionId: id, at, ...rest }) as TransactionEvent;
  return [
    ev('TransactionRequested', t0, request),
    ev('TransactionRouted', t0 + 5, { provider: PROVIDER }),
    ev('TransactionResponded', t0 + durationMs - 5, { statusCode: 200, responseSize: 999, providerInAt: t0 + 10, providerOutAt: t0 + durationMs - 8, late: false }),
    ev('TransactionCompleted', t0 + durationMs - 4, { statusCode: 200, responseSize: 999, durationMs: durationMs - 4 }),
    ev('TransactionAnswered', t0 + durationMs, { ...request, statusCode: 200, durationMs }),
  ];
}

describe('middle tier: the ledger partitioned by month', () => {
  let stack: ProjectorStack | undefined;
  let projector: ProjectorService;
  let db: DataSource;
  let base: string;

  const produce = (events: TransactionEvent[]) => stack!.produce(events);
  const get = async (path: string) => {
    const r = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  const partitionOf = async (id: string): Promise<string[]> =>
    (await db.query('SELECT tableoid::regclass::text AS p FROM ndxp.transactions WHERE transaction_id = $1', [id])).map((r: { p: string }) => r.p);
  const partitions = async (): Promise<string[]> =>
    (await db.query(`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'ndxp.transactions'::regclass ORDER BY 1`)).map(
      (r: { name: string }) => r.name,
    );

  beforeAll(async () => {
    stack = await startProjectorStack('middle-ledger-partitions', 'ndxp-middle-partitions');
    base = stack.base;
    projector = stack.app.get(ProjectorService);
    db = stack.app.get(DataSource);
  });

  afterAll(() => stack?.stop());

  const september = [randomUUID(), randomUUID()];
  const october = [randomUUID(), randomUUID(), randomUUID()];
  const boundary = randomUUID();

  it('given transactions of September and October 2022, when projected, then each month is in its own partition', async () => {
    await produce(september.flatMap((id, i) => exchange(id, vn(`2022-09-1${i}T10:00:00`))));
    await produce(october.flatMap((id, i) => exchange(id, vn(`2022-10-0${i + 1}T09:30:00`))));
    await projector.waitCaughtUp(20_000);

    for (const id of september) expect(await partitionOf(id)).toEqual(['ndxp.transactions_2022_09']);
    for (const id of october) expect(await partitionOf(id)).toEqual(['ndxp.transactions_2022_10']);
    expect(await partitions()).toEqual(expect.arrayContaining(['transactions_2022_09', 'transactions_2022_10']));
  });

  it('given a transaction asked at 23:59:59 on 30 September whose later events come in another batch in October, then its one row is whole, in September', async () => {
    const events = exchange(boundary, vn('2022-09-30T23:59:59.990'), 3000);
    await produce(events.slice(0, 1));
    await projector.waitCaughtUp(20_000);
    await produce(events.slice(1, 4)); // no requestInAt on these: the row's day is the one the ledger has
    await projector.waitCaughtUp(20_000);
    await produce(events.slice(4));
    await projector.waitCaughtUp(20_000);

    const rows = await db.query(`SELECT to_char(day, 'YYYY-MM-DD') AS day, * FROM ndxp.transactions WHERE transaction_id = $1`, [boundary]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ day: '2022-09-30', client: CLIENT, outcome: 'success', provider_status: 200, status_code: 200, duration_ms: 3000 });
    expect(rows[0].routed_at).not.toBeNull();
    expect(await partitionOf(boundary)).toEqual(['ndxp.transactions_2022_09']);
  });

  it("given the daily statistics of October, when the month's are read (from the monthly counters), then they are their sum", async () => {
    const daily = (await get('/statistics/daily?month=2022-10')).body as { total: number; periods: Array<{ period: string; total: number }> };
    const monthly = (await get('/statistics/monthly?month=2022-10')).body as { total: number; periods: Array<{ period: string; total: number; byOutcome: object }> };
    expect(daily.periods.map((p) => p.period)).toEqual(['2022-10-01', '2022-10-02', '2022-10-03']);
    expect(monthly.periods).toHaveLength(1);
    expect(monthly.periods[0]).toMatchObject({ period: '2022-10', total: daily.periods.reduce((s, p) => s + p.total, 0), byOutcome: { success: 3 } });
    expect(monthly.total).toBe(3);
    expect((await get('/statistics/monthly?month=2022-09')).body.total).toBe(3);
    expect((await get('/statistics/monthly?month=2022-13')).status).toBe(400);
    // Part of a month: summed from the daily counters.
    expect((await get('/statistics/monthly?month=2022-10&from=2022-10-02')).body.total).toBe(2);
    expect(await db.query(`SELECT to_char(month, 'YYYY-MM') AS month, sum(count)::int AS n FROM ndxp.monthly_counters GROUP BY 1 ORDER BY 1`)).toEqual([
      { month: '2022-09', n: 3 },
      { month: '2022-10', n: 3 },
    ]);
  });

  it("given a retention of 12 months on 15 September 2023, when applied, then September 2022's partition is dropped whole, its counters kept, October's rows kept", async () => {
    const retention = stack!.app.get(LedgerRetentionService);
    expect(await retention.apply(0, '2023-09-15')).toEqual([]);
    const counters = async () => [
      await db.query('SELECT * FROM ndxp.daily_counters ORDER BY day, client, service, provider, outcome'),
      await db.query('SELECT * FROM ndxp.monthly_counters ORDER BY month, client, service, provider, outcome'),
    ];
    const countersBefore = await counters();

    expect(await retention.apply(12, '2023-09-15')).toEqual(['transactions_2022_09']);

    expect(await partitions()).not.toContain('transactions_2022_09');
    expect(await partitionOf(september[0])).toEqual([]);
    expect(await partitionOf(october[0])).toEqual(['ndxp.transactions_2022_10']);
    expect(await counters()).toEqual(countersBefore);
    expect((await get('/statistics/monthly?month=2022-09')).body.total).toBe(3);
  });

  it('given the partition of September dropped after the projector made it, when a September transaction comes, then its partition is made again and the row is there', async () => {
    const late = randomUUID();
    await produce(exchange(late, vn('2022-09-20T08:00:00')));
    await projector.waitCaughtUp(20_000);
    expect(await partitionOf(late)).toEqual(['ndxp.transactions_2022_09']);
  });
});
