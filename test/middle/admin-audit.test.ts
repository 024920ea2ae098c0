import { Global, INestApplication, Module, ModuleMetadata, ValidationPipe } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'crypto';
import { Consumer, Kafka, logLevel, Producer } from 'kafkajs';
import { emptyRegistryView, Topics } from '@ndxp/contracts';
import { dropDatabase, InfraHandle, startInfra } from '@ndxp/infra';
import { AdminAudit, AdminGuard, AppConfig, loadConfig, PlatformModule, RegistryViewService } from '@ndxp/platform';
import { LedgerModule } from '../../apps/ndxp/src/ledger/ledger.module';
import { NDXP_MIGRATIONS } from '../../apps/ndxp/src/migrations';
import { NdxpMetricsService } from '../../apps/ndxp/src/observability/ndxp-metrics.service';
import { FaultRules } from '../../apps/providers/src/faults/fault-rules';
import { FaultRulesController } from '../../apps/providers/src/faults/fault-rules.controller';
import { FaultBook } from '../../apps/providers/src/faults/faults';
import { FaultsController } from '../../apps/providers/src/faults/faults.controller';
import { isolatedEnv } from '../support/env';
import { middleSettings } from './support';

// The middle tier: the admin audit trail end to end over a real broker and PostgreSQL. Two apps in this
// process: the national databases' fault admin API (its controllers, as the providers app mounts them) and
// the NDXP hub's ledger and audit modules. Admin changes, allowed and refused, are made over HTTP to both;
// each must come back from the hub's GET /admin/audit with who, what, when and its outcome.

const ADMIN_TOKEN = 'middle-tier-admin-token';
const FAULTS_ADMIN_TOKEN = 'middle-tier-faults-token';
const PROJECTION_ADMIN_TOKEN = 'middle-tier-projection-token';
const LEAKED_KEY = 'ndxp_middle-tier-secret-key-0000000000';
const TOKENS = [ADMIN_TOKEN, FAULTS_ADMIN_TOKEN, PROJECTION_ADMIN_TOKEN];

@Global()
@Module({
  providers: [AdminGuard, NdxpMetricsService, { provide: RegistryViewService, useValue: { state: emptyRegistryView(), ready: Promise.resolve() } }],
  exports: [AdminGuard, NdxpMetricsService, RegistryViewService],
})
class HubDependencies {}

/** The fault admin API of a national-database process, as NationalModule mounts it. */
@Module({
  controllers: [FaultsController, FaultRulesController],
  providers: [AdminGuard, { provide: FaultBook, useValue: new FaultBook() }, { provide: FaultRules, useValue: new FaultRules() }],
})
class FaultAdmin {}

/** Polls `f` every 100 ms until it gives something, or throws after `timeoutMs`. */
async function eventually<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; ; await pause(100)) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface AuditItem {
  auditId: string;
  when: string;
  who: { credential: string; remoteAddress: string };
  what: { app: string; instance: string; scope: string; method: string; route: string; summary: string };
  outcome: { allowed: boolean; statusCode: number | null; answeredAt: string | null; durationMs: number | null; count: number };
}

async function listen(imports: ModuleMetadata['imports']): Promise<{ app: INestApplication; base: string }> {
  const moduleRef = await Test.createTestingModule({ imports }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error', 'warn'] });
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, transform: true }));
  await app.listen(0, '127.0.0.1');
  return { app, base: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}

describe('middle tier: every admin change is audited on ndxp.admin-audit and read back from GET /admin/audit', () => {
  let infra: InfraHandle | undefined;
  const apps: INestApplication[] = [];
  let hub: string;
  let providers: string;
  let producer: Producer | undefined;
  let watcher: Consumer | undefined;
  const records: string[] = [];
  const log: string[] = [];
  let t0: number;
  let t1: number;

  const call = async (base: string, method: string, path: string, token?: string, body?: unknown) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
    const r = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as any };
  };
  const audit = async (query = '', token = ADMIN_TOKEN) => call(hub, 'GET', `/admin/audit${query}`, token);
  /** The trail once it holds `n` requests, each with its outcome. */
  const trailOf = (n: number) =>
    eventually(`${n} audited admin requests with their outcomes`, async () => {
      const items = (await audit()).body.items as AuditItem[];
      return items.length >= n && items.every((i) => i.outcome.statusCode !== null) ? items : undefined;
    });
  /** An admin call, 10 ms after the previous one: the trail orders by the millisecond each was seen. */
  const change = async (...args: Parameters<typeof call>) => {
    await pause(10);
    return (await call(...args)).status;
  };

  beforeAll(async () => {
    const env = await isolatedEnv('middle-admin-audit');
    infra = await startInfra({ env, log: (l) => log.push(l), skipKafka: false });
    // Every token in both apps, as the launcher gives every app one environment: each app tells them apart.
    const hubConfig = loadConfig('ndxp', AppConfig, { ...middleSettings(infra, 'ndxp-middle-audit', ADMIN_TOKEN), FAULTS_ADMIN_TOKEN, PROJECTION_ADMIN_TOKEN });
    const providersConfig = loadConfig('providers', AppConfig, { ...middleSettings(infra, 'providers-middle-audit', ADMIN_TOKEN), FAULTS_ADMIN_TOKEN, PROJECTION_ADMIN_TOKEN });
    const h = await listen([PlatformModule.forApp({ app: 'ndxp', config: hubConfig, schema: 'ndxp', migrations: NDXP_MIGRATIONS }), HubDependencies, LedgerModule]);
    const p = await listen([PlatformModule.forApp({ app: 'providers', config: providersConfig, schema: 'national', migrations: [] }), FaultAdmin]);
    apps.push(h.app, p.app);
    // Refused attempts from one address: one record a window (10 s in the apps). Here the window is closed by hand
    // (flush) once the three refusals are made: a timer of a few seconds split them in two windows on a slow machine.
    const refusals = p.app.get(AdminAudit).refusals;
    refusals.windowMs = 600_000;
    [hub, providers] = [h.base, p.base];
    const kafka = new Kafka({ clientId: 'middle-admin-audit-test', brokers: infra.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
    producer = kafka.producer();
    await producer.connect();
    watcher = kafka.consumer({ groupId: `middle-admin-audit-watch-${randomUUID().slice(0, 8)}`, maxWaitTimeInMs: 100 });
    await watcher.connect();
    await watcher.subscribe({ topic: Topics.adminAudit, fromBeginning: true });
    await watcher.run({ eachMessage: async ({ message }) => void records.push(message.value?.toString() ?? '') });

    // A record the trail cannot read comes first: it is dead-lettered, and the changes after it are projected.
    await producer.send({ topic: Topics.adminAudit, messages: [{ value: '{"type":"AdminChangeRequested","auditId":"not a uuid"}' }] });
    t0 = Date.now();
    expect(await change(providers, 'PUT', '/admin/faults/population', FAULTS_ADMIN_TOKEN, { latencyMs: 300, jitterMs: 50 })).toBe(200);
    expect(await change(providers, 'GET', '/admin/faults', FAULTS_ADMIN_TOKEN)).toBe(200); // a read: not audited
    const rule = { match: { service: 'citizen-lookup' }, action: { status: 503 }, apiKey: LEAKED_KEY };
    expect(await change(providers, 'POST', '/admin/fault-rules', undefined, rule)).toBe(401);
    expect(await change(providers, 'DELETE', '/admin/faults/population', 'guessed-token-0000')).toBe(401);
    expect(await change(providers, 'DELETE', '/admin/faults/population', PROJECTION_ADMIN_TOKEN)).toBe(401); // a token of another scope
    refusals.flush();
    expect(await change(hub, 'POST', '/admin/projection/rebuild', PROJECTION_ADMIN_TOKEN)).toBe(200);
    t1 = Date.now();
  }, 180_000);

  afterAll(async () => {
    await watcher?.disconnect().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
    for (const app of apps) await app.close().catch(() => undefined);
    await infra?.stop();
    if (infra) await dropDatabase(infra.databaseUrl);
  });

  it('given an allowed change over HTTP, then it is in the trail: who (credential by name, remote address), what (app, scope, method, route, summary), when, outcome', async () => {
    const items = await trailOf(4);
    const put = items.find((i) => i.what.method === 'PUT')!;
    expect(put).toMatchObject({
      who: { credential: 'FAULTS_ADMIN_TOKEN', remoteAddress: '127.0.0.1' },
      what: { app: 'providers', instance: 'providers-middle-audit', scope: 'faults', route: '/admin/faults/population', summary: '{"body":{"latencyMs":300,"jitterMs":50}}' },
      outcome: { allowed: true, statusCode: 200 },
    });
    expect(Date.parse(put.when)).toBeGreaterThanOrEqual(t0);
    expect(Date.parse(put.when)).toBeLessThanOrEqual(t1);
    expect(Date.parse(put.outcome.answeredAt!)).toBeGreaterThanOrEqual(Date.parse(put.when));
    expect(items.find((i) => i.what.app === 'ndxp')).toMatchObject({
      who: { credential: 'PROJECTION_ADMIN_TOKEN' },
      what: { scope: 'projection', method: 'POST', route: '/admin/projection/rebuild', summary: '' },
      outcome: { allowed: true, statusCode: 200 },
    });
  });

  it('given refused attempts from one address, then the first in the trail at once, the others in one record once its window closed, with their count; the credential each named (none, another scope’s) and 401; secrets in the body redacted', async () => {
    const items = await trailOf(4);
    const refused = items.filter((i) => !i.outcome.allowed);
    expect(refused.map((i) => [i.what.method, i.who.credential, i.outcome.statusCode, i.outcome.count])).toEqual([
      ['DELETE', 'PROJECTION_ADMIN_TOKEN', 401, 2], // the last of the two (the other named an unrecognized token)
      ['POST', 'none', 401, 1],
    ]);
    expect(JSON.parse(refused[1].what.summary)).toEqual({ body: { match: { service: 'citizen-lookup' }, action: { status: 503 }, apiKey: '[redacted]' } });
    expect(items.filter((i) => i.outcome.allowed).map((i) => i.outcome.count)).toEqual([1, 1]);
  });

  it('given the trail, then newest first, reads are not in it, and no record on the topic holds a token or the secret', async () => {
    const items = await trailOf(4);
    expect(items).toHaveLength(4); // the GET of /admin/faults is not there
    expect(items.map((i) => `${i.what.method} ${i.what.route}`)).toEqual([
      'POST /admin/projection/rebuild',
      'DELETE /admin/faults/population',
      'POST /admin/fault-rules',
      'PUT /admin/faults/population',
    ]);
    // the unreadable one, intent and outcome of the two allowed changes, the two outcomes of the three refused
    await eventually('every admin audit record on the topic', async () => (records.length >= 1 + 2 * 2 + 2 ? true : undefined));
    for (const secret of [...TOKENS, 'guessed-token-0000', LEAKED_KEY]) expect(records.join('\n')).not.toContain(secret);
  });

  it('given filters, then only what they select: app, scope, who (a credential or an address), time window, limit', async () => {
    const items = await trailOf(4);
    const put = items.find((i) => i.what.method === 'PUT')!;
    const routes = async (query: string) => ((await audit(query)).body.items as AuditItem[]).map((i) => `${i.what.method} ${i.who.credential}`);
    expect(await routes('?app=ndxp')).toEqual(['POST PROJECTION_ADMIN_TOKEN']);
    expect(await routes('?app=providers&scope=faults&who=FAULTS_ADMIN_TOKEN')).toEqual(['PUT FAULTS_ADMIN_TOKEN']);
    expect(await routes('?who=127.0.0.1')).toHaveLength(4);
    expect(await routes(`?to=${encodeURIComponent(new Date(Date.parse(put.when) + 1).toISOString())}`)).toEqual(['PUT FAULTS_ADMIN_TOKEN']);
    expect(await routes(`?from=${encodeURIComponent(new Date(Date.parse(put.when) + 1).toISOString())}`)).toHaveLength(3);
    expect(await routes('?limit=1')).toEqual(['POST PROJECTION_ADMIN_TOKEN']);
    expect((await audit('?limit=0')).status).toBe(400);
    expect((await audit('?scope=everything')).status).toBe(400);
  });

  it('given no token or a scoped one, then the trail is not read (401); only ADMIN_TOKEN reads it', async () => {
    expect((await call(hub, 'GET', '/admin/audit')).status).toBe(401);
    expect((await audit('', PROJECTION_ADMIN_TOKEN)).status).toBe(401);
    expect((await audit('', FAULTS_ADMIN_TOKEN)).status).toBe(401);
  });

  it('given a record the trail cannot read, then it was dead-lettered and counted, and the trail went on', async () => {
    await trailOf(4);
    const metrics = (await (await fetch(`${hub}/metrics`)).text()).split('\n');
    const counted = metrics.filter(
      (l) => l.startsWith('kafka_dead_letter_total{') && ['group="ndxp-admin-audit"', 'topic="ndxp.admin-audit"', 'reason="malformed"'].every((x) => l.includes(x)),
    );
    expect(counted.map((l) => l.slice(l.lastIndexOf(' ') + 1))).toEqual(['1']);
  });

  it('given a rebuild, then the trail is replayed into identical rows (and the rebuild is in it too)', async () => {
    await trailOf(4);
    const rows = () => infraQuery('SELECT * FROM ndxp.admin_audit ORDER BY audit_id');
    const before = await rows();
    expect(before).toHaveLength(4);
    const r = await call(hub, 'POST', '/admin/projection/rebuild', ADMIN_TOKEN);
    expect(r.status).toBe(200);
    // intent and outcome of the PUT and the first rebuild, the two records of the three refusals, and this rebuild's intent (the unreadable record is no event)
    expect(r.body.audit.events).toBe(2 + 2 + 2 + 1);
    const after = await trailOf(5);
    expect(after[0]).toMatchObject({ who: { credential: 'ADMIN_TOKEN' }, what: { route: '/admin/projection/rebuild' }, outcome: { statusCode: 200 } });
    expect((await rows()).filter((row) => row.audit_id !== after[0].auditId)).toEqual(before);
  });

  /** Rows of the hub's database, as the projection wrote them. */
  async function infraQuery(sql: string): Promise<Array<Record<string, unknown>>> {
    const { Client } = await import('pg');
    const pg = new Client({ connectionString: infra!.databaseUrl });
    await pg.connect();
    try {
      return (await pg.query(sql)).rows;
    } finally {
      await pg.end();
    }
  }
});
