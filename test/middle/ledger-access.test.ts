import { Global, INestApplication, Module, ValidationPipe } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'crypto';
import { Kafka, logLevel, Producer } from 'kafkajs';
import { emptyRegistryView, eventIdFor, evolveRegistryView, hashApiKey, keyIdOf, RegistryEvent, Topics, TransactionEvent } from '@ndxp/contracts';
import { dropDatabase, InfraHandle, startInfra } from '@ndxp/infra';
import { AdminGuard, AppConfig, loadConfig, PlatformModule, RegistryViewService } from '@ndxp/platform';
import { LedgerModule } from '../../apps/ndxp/src/ledger/ledger.module';
import { NDXP_MIGRATIONS } from '../../apps/ndxp/src/migrations';
import { NdxpMetricsService } from '../../apps/ndxp/src/observability/ndxp-metrics.service';
import { ProjectorService } from '../../apps/ndxp/src/projection/projector.service';
import { isolatedEnv } from '../support/env';
import { middleSettings } from './support';

// The middle tier: who may read the ledger and the statistics. NDXP's ledger
// module alone against a real broker and PostgreSQL, with a registry view
// folded from events of our own (two client keys, one of them revoked; an
// LGSP operator's key, revoked in the last test).

const ADMIN_TOKEN = 'middle-tier-admin-token';
const PROJECTION_ADMIN_TOKEN = 'middle-tier-projection-token';
const HANOI = 'VN/GOV/000.00.00.H26/MOTCUA';
const HCMC = 'VN/GOV/000.00.00.H29/MOTCUA';
const SERVICE = 'VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup';
const PROVIDER = 'VN/GOV/000.00.00.G01/CSDLQGDC';
const HANOI_KEY = 'ndxp_middle-tier-hanoi-key-000000000';
const HANOI_OLD_KEY = 'ndxp_middle-tier-hanoi-old-key-0000000';
const HCMC_KEY = 'ndxp_middle-tier-hcmc-key-0000000000';
/** Hà Nội's LGSP operator: reads the exchanges of LGSP 000.00.00.H26. */
const HANOI_OPERATOR_KEY = 'ndxpop_middle-tier-hanoi-operator-key-00';

type View = Pick<RegistryViewService, 'state' | 'ready' | 'checkApiKey' | 'checkOperatorKey'>;

/** The registry as the gateway and the hub see it, for the keys above: checkApiKey and checkOperatorKey are the real ones. */
function registryView(): View {
  const issued = (client: string, key: string): RegistryEvent => ({ type: 'CredentialIssued', client, keyId: keyIdOf(hashApiKey(key)), keyHash: hashApiKey(key) });
  const events: RegistryEvent[] = [
    issued(HANOI, HANOI_KEY),
    issued(HANOI, HANOI_OLD_KEY),
    issued(HCMC, HCMC_KEY),
    { type: 'CredentialRevoked', client: HANOI, keyId: keyIdOf(hashApiKey(HANOI_OLD_KEY)) },
    { type: 'OperatorCredentialIssued', lgsp: '000.00.00.H26', keyId: keyIdOf(hashApiKey(HANOI_OPERATOR_KEY)), keyHash: hashApiKey(HANOI_OPERATOR_KEY) },
  ];
  const state = emptyRegistryView();
  events.forEach((e, i) => evolveRegistryView(state, e, i + 1));
  const view = { state, ready: Promise.resolve() } as View;
  view.checkApiKey = RegistryViewService.prototype.checkApiKey.bind(view as RegistryViewService);
  view.checkOperatorKey = RegistryViewService.prototype.checkOperatorKey.bind(view as RegistryViewService);
  return view;
}

const view = registryView();

@Global()
@Module({
  providers: [AdminGuard, NdxpMetricsService, { provide: RegistryViewService, useValue: view }],
  exports: [AdminGuard, NdxpMetricsService, RegistryViewService],
})
class LedgerDependencies {}

/** A request the gateway answered 200 (no hub events: the answer alone makes the row). */
function answered(id: string, client: string, t0: number, userId: string): TransactionEvent[] {
  const request = { xRoadId: `x-${id.slice(0, 8)}`, lgsp: client.split('/')[2], client, service: SERVICE, provider: PROVIDER, userId, requestSize: 100, requestInAt: t0 };
  return [
    { type: 'TransactionRequested', eventId: eventIdFor(id, 'TransactionRequested'), transactionId: id, at: t0, ...request, issue: 'HS-2026-000123' },
    { type: 'TransactionAnswered', eventId: eventIdFor(id, 'TransactionAnswered'), transactionId: id, at: t0 + 30, ...request, statusCode: 200, durationMs: 30 },
  ];
}

describe('middle tier: who reads the ledger and the statistics', () => {
  let infra: InfraHandle | undefined;
  let app: INestApplication | undefined;
  let producer: Producer | undefined;
  let base: string;
  const log: string[] = [];
  const hanoi = [randomUUID(), randomUUID()];
  const hcmc = randomUUID();

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const r = await fetch(`${base}${path}`, { headers });
    return { status: r.status, body: (await r.json()) as any };
  };
  const asAdmin = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const asHanoi = { 'x-api-key': HANOI_KEY };

  beforeAll(async () => {
    const env = await isolatedEnv('middle-ledger-access');
    infra = await startInfra({ env, log: (l) => log.push(l), skipKafka: false });
    const config = loadConfig('ndxp', AppConfig, { ...middleSettings(infra, 'ndxp-middle-1', ADMIN_TOKEN), PROJECTION_ADMIN_TOKEN });
    const moduleRef = await Test.createTestingModule({
      imports: [PlatformModule.forApp({ app: 'ndxp', config, schema: 'ndxp', migrations: NDXP_MIGRATIONS }), LedgerDependencies, LedgerModule],
    }).compile();
    app = moduleRef.createNestApplication({ logger: ['error', 'warn'] });
    app.useGlobalPipes(new ValidationPipe({ whitelist: true, transform: true }));
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    producer = new Kafka({ clientId: 'middle-ledger-access-test', brokers: infra.kafkaBrokers.split(','), logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    const t0 = Date.now();
    const events = [...answered(hanoi[0], HANOI, t0, 'VN0001'), ...answered(hanoi[1], HANOI, t0 + 1, 'VN0002'), ...answered(hcmc, HCMC, t0 + 2, 'VN0003')];
    await producer.send({ topic: Topics.transactions, messages: events.map((e) => ({ key: e.transactionId, value: JSON.stringify(e) })) });
    await app.get(ProjectorService).waitCaughtUp(20_000);
  });

  afterAll(async () => {
    await producer?.disconnect().catch(() => undefined);
    await app?.close();
    await infra?.stop();
    if (infra) await dropDatabase(infra.databaseUrl);
  });

  it.each(['/ledger', `/ledger/${randomUUID()}`, '/statistics/daily', '/statistics/monthly'])(
    'given no credential, when %s is read, then 401 says which header to send',
    async (path) => {
      const { status, body } = await get(path);
      expect(status).toBe(401);
      expect(body).toMatchObject({ statusCode: 401, code: 'CREDENTIAL_REQUIRED' });
      expect(body.message).toMatch(/Authorization: Bearer <ADMIN_TOKEN>.*X-API-Key/);
    },
  );

  it('given a key the registry does not know, a revoked key, or another client in X-Road-Client, then 401 with the reason', async () => {
    expect((await get('/ledger', { 'x-api-key': 'ndxp_guessed' })).body).toMatchObject({ code: 'CREDENTIAL_REFUSED', message: expect.stringMatching(/not known to the registry/) });
    expect((await get('/ledger', { 'x-api-key': HANOI_OLD_KEY })).body).toMatchObject({ code: 'CREDENTIAL_REFUSED', message: expect.stringMatching(/has been revoked/) });
    expect((await get('/ledger', { ...asHanoi, 'x-road-client': HCMC })).status).toBe(401);
    // a scoped admin token rebuilds the projection, but does not read the ledger
    expect((await get('/ledger', { authorization: `Bearer ${PROJECTION_ADMIN_TOKEN}` })).status).toBe(401);
  });

  it('given the admin token, then every client’s rows, personal identifiers in clear', async () => {
    const { status, body } = await get('/ledger', asAdmin);
    expect(status).toBe(200);
    expect(body.total).toBe(3);
    expect(new Set(body.items.map((i: { client: string }) => i.client))).toEqual(new Set([HANOI, HCMC]));
    expect((await get(`/ledger/${hcmc}`, asAdmin)).body).toMatchObject({ client: HCMC, userId: 'VN0003', issue: 'HS-2026-000123' });
    expect((await get('/statistics/daily', asAdmin)).body.total).toBe(3);
  });

  it("given a client's key, then its own rows only, personal identifiers masked; another's row is not found", async () => {
    const list = await get('/ledger', asHanoi);
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(2);
    expect(list.body.items.map((i: { transactionId: string }) => i.transactionId).sort()).toEqual([...hanoi].sort());
    for (const i of list.body.items) expect(i).toMatchObject({ client: HANOI, userId: expect.stringMatching(/^\*\*\*00[12]$/), issue: '***********123' });
    expect((await get(`/ledger?client=${encodeURIComponent(HCMC)}`, asHanoi)).body.total).toBe(0);
    expect((await get(`/ledger/${hanoi[0]}`, asHanoi)).body).toMatchObject({ transactionId: hanoi[0], userId: '***001' });
    expect((await get(`/ledger/${hcmc}`, asHanoi)).status).toBe(404);
    // X-Road-Client may be sent, as to the gateway; a bearer token that is a client key reads as that client
    expect((await get('/ledger', { ...asHanoi, 'x-road-client': HANOI })).body.total).toBe(2);
    expect((await get('/ledger', { authorization: `Bearer ${HCMC_KEY}` })).body).toMatchObject({ total: 1, items: [{ client: HCMC, userId: '***003' }] });
  });

  it("given a client's key, then the statistics count its own exchanges only", async () => {
    for (const unit of ['daily', 'monthly']) {
      const { status, body } = await get(`/statistics/${unit}`, asHanoi);
      expect(status).toBe(200);
      expect(body.total).toBe(2);
      for (const p of body.periods) expect(Object.keys(p.byClientAgency)).toEqual(['000.00.00.H26']);
    }
  });

  const asHanoiOperator = { 'x-api-key': HANOI_OPERATOR_KEY };

  it("given an LGSP operator's key, then its LGSP's rows only (every client of it), personal identifiers masked; another LGSP's row is not found", async () => {
    const list = await get('/ledger', asHanoiOperator);
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(2);
    expect(list.body.items.map((i: { transactionId: string }) => i.transactionId).sort()).toEqual([...hanoi].sort());
    for (const i of list.body.items) expect(i).toMatchObject({ lgsp: '000.00.00.H26', userId: expect.stringMatching(/^\*\*\*00[12]$/), issue: '***********123' });
    expect((await get('/ledger?lgsp=000.00.00.H29', asHanoiOperator)).body.total).toBe(0);
    expect((await get(`/ledger?client=${encodeURIComponent(HCMC)}`, asHanoiOperator)).body.total).toBe(0);
    expect((await get(`/ledger/${hanoi[1]}`, asHanoiOperator)).body).toMatchObject({ transactionId: hanoi[1], userId: '***002' });
    expect((await get(`/ledger/${hcmc}`, asHanoiOperator)).status).toBe(404);
    // as a bearer token too; with an X-Road-Client it is refused (an operator speaks for no client)
    expect((await get('/ledger', { authorization: `Bearer ${HANOI_OPERATOR_KEY}` })).body.total).toBe(2);
    expect((await get('/ledger', { ...asHanoiOperator, 'x-road-client': HANOI })).status).toBe(401);
  });

  it("given an LGSP operator's key, then the statistics count its LGSP's exchanges only", async () => {
    for (const unit of ['daily', 'monthly']) {
      const { status, body } = await get(`/statistics/${unit}`, asHanoiOperator);
      expect(status).toBe(200);
      expect(body.total).toBe(2);
      for (const p of body.periods) expect(Object.keys(p.byClientAgency)).toEqual(['000.00.00.H26']);
    }
  });

  it('given PROJECTION_ADMIN_TOKEN, then the projection can be rebuilt with it (and not without a token)', async () => {
    expect((await fetch(`${base}/admin/projection/rebuild`, { method: 'POST' })).status).toBe(401);
    const r = await fetch(`${base}/admin/projection/rebuild`, { method: 'POST', headers: { authorization: `Bearer ${PROJECTION_ADMIN_TOKEN}` } });
    expect(r.status).toBe(200);
    expect((await get('/ledger', asAdmin)).body.total).toBe(3);
    // the counters rebuilt from the events keep each exchange's LGSP
    expect((await get('/statistics/daily', asHanoiOperator)).body.total).toBe(2);
  });

  it("given the operator's key revoked in the registry, then it is refused with the reason (and the admin still reads)", async () => {
    const keyId = keyIdOf(hashApiKey(HANOI_OPERATOR_KEY));
    evolveRegistryView(view.state, { type: 'OperatorCredentialRevoked', lgsp: '000.00.00.H26', keyId }, view.state.position + 1);
    for (const path of ['/ledger', `/ledger/${hanoi[0]}`, '/statistics/daily']) {
      const { status, body } = await get(path, asHanoiOperator);
      expect({ path, status }).toEqual({ path, status: 401 });
      expect(body).toMatchObject({ code: 'CREDENTIAL_REFUSED', message: expect.stringContaining(`operator key ${keyId} of LGSP 000.00.00.H26 has been revoked`) });
    }
    expect((await get('/ledger', asAdmin)).body.total).toBe(3);
  });
});
