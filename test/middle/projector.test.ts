import { randomUUID } from 'crypto';
import { Kafka, logLevel } from 'kafkajs';
import { DataSource } from 'typeorm';
import { eventIdFor, Topics, TransactionEvent } from '@ndxp/contracts';
import { NdxpMetricsService } from '../../apps/ndxp/src/observability/ndxp-metrics.service';
import { ProjectorService } from '../../apps/ndxp/src/projection/projector.service';
import { PROJECTOR_ADMIN_TOKEN, ProjectorStack, startProjectorStack } from './projector-support';

// The middle tier: NDXP's projector alone (ledger module, its migrations and
// the platform's Kafka and PostgreSQL), against one real broker and a
// throwaway database, fed by a producer of our own. No hub, no gateway, no
// registry: a failure here is the projector's.

const ADMIN_TOKEN = PROJECTOR_ADMIN_TOKEN;

const CLIENT = 'VN/GOV/000.00.00.H26/MOTCUA';
const SERVICE = 'VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup';
const PROVIDER = 'VN/GOV/000.00.00.G01/CSDLQGDC';

/** A whole exchange as the gateway and the hub record it; the answer given as `answer`. */
function exchange(
  id: string,
  t0: number,
  answer: { statusCode: number; faultCode?: string; faultString?: string; durationMs: number },
  hub: 'completed' | 'none' = 'completed',
): TransactionEvent[] {
  const request = { xRoadId: `x-${id.slice(0, 8)}`, lgsp: '000.00.00.H26', client: CLIENT, service: SERVICE, provider: PROVIDER, requestSize: 321, requestInAt: t0 };
  const events: TransactionEvent[] = [{ type: 'TransactionRequested', eventId: eventIdFor(id, 'TransactionRequested'), transactionId: id, at: t0, ...request }];
  if (hub === 'completed')
    events.push(
      { type: 'TransactionRouted', eventId: eventIdFor(id, 'TransactionRouted'), transactionId: id, at: t0 + 5, provider: PROVIDER },
      {
        type: 'TransactionResponded',
        eventId: eventIdFor(id, 'TransactionResponded'),
        transactionId: id,
        at: t0 + 40,
        statusCode: 200,
        responseSize: 999,
        providerInAt: t0 + 10,
        providerOutAt: t0 + 38,
        late: false,
      },
      { type: 'TransactionCompleted', eventId: eventIdFor(id, 'TransactionCompleted'), transactionId: id, at: t0 + 41, statusCode: 200, responseSize: 999, durationMs: 41 },
    );
  events.push({ type: 'TransactionAnswered', eventId: eventIdFor(id, 'TransactionAnswered'), transactionId: id, at: t0 + answer.durationMs, ...request, ...answer });
  return events;
}

describe('middle tier: the ndxp projector against a real broker and PostgreSQL', () => {
  let stack: ProjectorStack | undefined;
  let projector: ProjectorService;
  let db: DataSource;
  let metrics: NdxpMetricsService;
  let base: string;
  const log: string[] = [];

  const produce = (events: TransactionEvent[]) => stack!.produce(events);
  // The ledger's reads need a credential: the admin token reads everything (test/middle/ledger-access.test.ts has the rules).
  const get = async (path: string) => {
    const r = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  const ledgerTables = async () => ({
    transactions: await db.query('SELECT * FROM ndxp.transactions ORDER BY transaction_id'),
    counters: await db.query('SELECT * FROM ndxp.daily_counters ORDER BY day, lgsp, client, service, provider, outcome'),
    monthly: await db.query('SELECT * FROM ndxp.monthly_counters ORDER BY month, lgsp, client, service, provider, outcome'),
  });
  const skipped = async (reason: 'malformed' | 'unstorable') => (await metrics.m.projectionSkipped.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;

  beforeAll(async () => {
    stack = await startProjectorStack('middle-projector', 'ndxp-middle-1', (l) => log.push(l));
    base = stack.base;
    projector = stack.app.get(ProjectorService);
    db = stack.app.get(DataSource);
    metrics = stack.app.get(NdxpMetricsService);
  });

  afterAll(() => stack?.stop());

  it('given a hub Completed, when the gateway answered a timeout, then the ledger row has the answer: outcome timeout, status 504', async () => {
    const id = randomUUID();
    await produce(exchange(id, Date.now(), { statusCode: 504, faultCode: 'Server.ServerProxy.Timeout', faultString: 'no answer in time', durationMs: 3000 }));
    await projector.waitCaughtUp(20_000);

    const { status, body } = await get(`/ledger/${id}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      transactionId: id,
      client: CLIENT,
      service: SERVICE,
      outcome: 'timeout',
      succeeded: false,
      statusCode: 504,
      faultCode: 'Server.ServerProxy.Timeout',
      durationMs: 3000,
      providerStatus: 200, // the hub's facts about the way there are kept
      responseSize: 999,
    });
    const list = await get(`/ledger?outcome=timeout&client=${encodeURIComponent(CLIENT)}`);
    expect((list.body.items as Array<{ transactionId: string }>).map((i) => i.transactionId)).toContain(id);
  });

  it('given a projected transaction, when its events are delivered again, then there is still one row and the daily counters do not move', async () => {
    const id = randomUUID();
    const events = exchange(id, Date.now(), { statusCode: 200, durationMs: 60 });
    await produce(events);
    await projector.waitCaughtUp(20_000);
    const row = await db.query('SELECT * FROM ndxp.transactions WHERE transaction_id = $1', [id]);
    const before = await ledgerTables();
    const daily = (await get('/statistics/daily')).body;
    expect(row).toHaveLength(1);
    expect(row[0]).toMatchObject({ outcome: 'success', status_code: 200 });

    // Twice more: once alone, once interleaved with itself in one send.
    await produce(events);
    await produce([...events, ...events]);
    await projector.waitCaughtUp(20_000);

    expect(await db.query('SELECT * FROM ndxp.transactions WHERE transaction_id = $1', [id])).toEqual(row);
    expect(await ledgerTables()).toEqual(before);
    expect((await get('/statistics/daily')).body).toEqual(daily);
    expect(daily.total).toBe(2); // the first test's timeout and this success
  });

  it('given a malformed record on a partition, when the projector reads it, then it is skipped, counted, and the next record is projected', async () => {
    const id = randomUUID();
    const key = id; // one key: the bad records and the good one share a partition, in this order
    const malformedBefore = await skipped('malformed');
    await stack!.producer.send({
      topic: Topics.transactions,
      messages: [
        { key, value: '{ not json' },
        { key, value: JSON.stringify({ type: 'TransactionRequested', transactionId: 'not-a-uuid' }) },
        { key, value: null },
        ...exchange(id, Date.now(), { statusCode: 500, faultCode: 'Server.ServiceFailed', faultString: 'provider error', durationMs: 80 }).map((e) => ({
          key,
          value: JSON.stringify(e),
        })),
      ],
    });
    await projector.waitCaughtUp(20_000);

    expect((await get(`/ledger/${id}`)).body).toMatchObject({ outcome: 'failed', statusCode: 500, faultCode: 'Server.ServiceFailed' });
    expect((await skipped('malformed')) - malformedBefore).toBe(3);
  });

  it('given the projected topic, when the projection is rebuilt from offset zero, then the ledger and the counters are identical', async () => {
    const before = await ledgerTables();
    expect(before.transactions).toHaveLength(3);
    const counted = await skipped('malformed');

    const unauthorised = await fetch(`${base}/admin/projection/rebuild`, { method: 'POST' });
    expect(unauthorised.status).toBe(401);
    const r = await fetch(`${base}/admin/projection/rebuild`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(r.status).toBe(200);
    const result = (await r.json()) as { events: number; ms: number };
    // 5 + 5 × 4 deliveries (the duplicates) + 5 events; the 3 malformed records are not events.
    expect(result.events).toBe(5 + 5 * 4 + 5);

    expect(await ledgerTables()).toEqual(before);
    expect(await skipped('malformed')).toBe(counted); // a replay's skips are not counted twice
  });

  it("given another member in the projector's group (another hub), when a rebuild is asked, then refused, the ledger as it was, and the projector projecting again", async () => {
    const before = await ledgerTables();
    const other = new Kafka({ clientId: 'middle-projector-other-hub', brokers: stack!.infra.kafkaBrokers.split(','), logLevel: logLevel.NOTHING }).consumer({
      groupId: 'ndxp-projector',
    });
    try {
      const joined = new Promise<void>((r) => other.on(other.events.GROUP_JOIN, () => r()));
      await other.connect();
      await other.subscribe({ topic: Topics.transactions });
      await other.run({ eachMessage: async () => undefined });
      await joined;
      const r = await fetch(`${base}/admin/projection/rebuild`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(r.status).toBe(500);
      expect(await ledgerTables()).toEqual(before);
    } finally {
      await other.disconnect();
    }
    const id = randomUUID();
    await produce(exchange(id, Date.now(), { statusCode: 200, durationMs: 30 }));
    await projector.waitCaughtUp(30_000);
    expect((await get(`/ledger/${id}`)).body).toMatchObject({ outcome: 'success' });
  });

  it('given the migrations run, then the LGSP of a daily counter has no default: every writer names it', async () => {
    const [column] = await db.query(`SELECT column_default FROM information_schema.columns WHERE table_schema = 'ndxp' AND table_name = 'daily_counters' AND column_name = 'lgsp'`);
    expect(column).toEqual({ column_default: null });
  });
});
