import { Kafka, logLevel } from 'kafkajs';
import { FaultTypes, Topics } from '@ndxp/contracts';
import { spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { repoRoot } from '@ndxp/infra';
import { checkConformance } from '../tools/kit/conformance-rules';
import { parseHar } from '../tools/kit/har-read';
import { admin, Answer, HANOI, HCMC, http, keyOf, POPULATION, projected, startTestStack, TestStack, waitUntil, xroad } from './support/stack';

/**
 * Faults aimed at one request (#11): a test client's X-Emulator-Fault header, and fault rules on the national
 * databases, against the real stack. Two clients get different faults at the same time; the ledger says which
 * answers were injected; the header never reaches the provider.
 */
describe('faults aimed at requests, end to end', () => {
  let s: TestStack;
  let personalId: string;
  const LOOKUP = `${POPULATION}/citizen-lookup`;
  const withFault = (value: string) => ({ headers: { 'X-Emulator-Fault': value } });
  const ledgerRow = async (r: Answer) => {
    await projected(s);
    return (await admin(s, 'GET', `${s.url.ndxp}/ledger/${r.headers.get('x-road-transaction-id')}`)).body;
  };

  beforeAll(async () => {
    // Bodies and URLs in clear in the journal: the record-and-replay case below replays them.
    s = await startTestStack('fault-injection', { EXCHANGE_TIMEOUT_MS: '1500', JOURNAL_BODIES: 'clear' });
    [{ personal_id: personalId }] = (await s.db.query('SELECT personal_id FROM national.citizens ORDER BY personal_id LIMIT 1')).rows;
  });

  afterAll(async () => {
    if (s) expect(await s.stop()).toBe(0);
  });

  afterEach(async () => {
    await admin(s, 'DELETE', `${s.url.providers}/admin/fault-rules`);
  });

  it('two test clients get different injected faults at the same time, and neither touches the other nor a plain call', async () => {
    const started = Date.now();
    const [hanoi, hcmc, hanoiPlain, hcmcPlain, hanoiLate] = await Promise.all([
      xroad(s, HANOI, LOOKUP, personalId, withFault('status=503')),
      xroad(s, HCMC, LOOKUP, personalId, withFault('fault=Server.ServerProxy.NetworkError')),
      xroad(s, HANOI, LOOKUP, personalId),
      xroad(s, HCMC, LOOKUP, personalId),
      xroad(s, HANOI, LOOKUP, personalId, withFault('latency=600ms')),
    ]);
    // Hà Nội: the provider's own 503 (no X-Road-Error); Hồ Chí Minh City: the platform's NetworkError.
    expect({ status: hanoi.status, error: hanoi.headers.get('x-road-error'), code: hanoi.body.code }).toEqual({ status: 503, error: null, code: 'INJECTED' });
    expect({ status: hcmc.status, error: hcmc.headers.get('x-road-error') }).toEqual({ status: 500, error: FaultTypes.networkError });
    expect(hcmc.body.message).toMatch(/injected by X-Emulator-Fault: fault=Server.ServerProxy.NetworkError/);
    for (const plain of [hanoiPlain, hcmcPlain]) expect({ status: plain.status, id: plain.body.personalId }).toEqual({ status: 200, id: personalId });
    expect({ status: hanoiLate.status, id: hanoiLate.body.personalId }).toEqual({ status: 200, id: personalId });
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);

    // The ledger says which answers were injected, and what.
    expect(await ledgerRow(hanoi)).toMatchObject({ client: HANOI, statusCode: 503, outcome: 'success', injected: 'status=503' });
    expect(await ledgerRow(hcmc)).toMatchObject({ client: HCMC, faultCode: FaultTypes.networkError, outcome: 'failed', injected: 'fault=Server.ServerProxy.NetworkError' });
    expect(await ledgerRow(hanoiLate)).toMatchObject({ statusCode: 200, injected: 'latency=600ms' });
    expect((await ledgerRow(hanoiPlain)).injected).toBeNull();
    expect((await ledgerRow(hcmcPlain)).injected).toBeNull();
  });

  it('timeout: no answer, the platform’s IOError at the deadline, a timeout in the ledger marked injected', async () => {
    const r = await xroad(s, HANOI, LOOKUP, personalId, withFault('timeout'));
    expect({ status: r.status, error: r.headers.get('x-road-error') }).toEqual({ status: 500, error: FaultTypes.ioError });
    expect(await ledgerRow(r)).toMatchObject({ outcome: 'timeout', injected: 'timeout' });
  });

  it('the header never reaches the provider: what it is sent carries the injection, not the header', async () => {
    const kafka = new Kafka({ clientId: 'fault-injection', brokers: [`127.0.0.1:${s.env.KAFKA_PORT}`], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `fault-injection-${Date.now()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: Topics.providerRequests('population'), fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value?.toString() ?? '') });
    try {
      const r = await xroad(s, HANOI, LOOKUP, personalId, { headers: { 'X-Emulator-Fault': 'status=418', 'X-Custom': 'kept' } });
      expect({ status: r.status, code: r.body.code }).toEqual({ status: 418, code: 'INJECTED' });
      const transactionId = r.headers.get('x-road-transaction-id')!;
      const sent = await waitUntil('the provider request on its topic', async () => seen.find((v) => v.includes(transactionId)));
      expect(sent).toMatch(/"x-custom":"kept"/);
      expect(sent).not.toMatch(/x-emulator-fault/i);
      expect(sent).toMatch(/"inject":\{"status":418\}/);
    } finally {
      await consumer.disconnect();
    }
  });

  it('junk in the header is refused with the malformed-request fault, saying what is expected', async () => {
    const r = await xroad(s, HANOI, LOOKUP, personalId, withFault('status=9000'));
    expect({ status: r.status, error: r.headers.get('x-road-error') }).toEqual({ status: 500, error: FaultTypes.malformedRequest });
    expect(r.body.message).toMatch(/X-Emulator-Fault: "status=9000": an HTTP status from 200 to 599/);
    expect(await ledgerRow(r)).toMatchObject({ outcome: 'rejected', rejectedAtStage: 'lgsp' });
  });

  it('a client not marked as a test client is refused (not ignored); one registered with testClient is honoured', async () => {
    const register = async (client: string, testClient: boolean) => {
      await admin(s, 'POST', `${s.url.registry}/admin/subsystems`, { subsystem: client, name: 'connector', role: 'client', ...(testClient ? { testClient } : {}) });
      const key = (await admin(s, 'POST', `${s.url.registry}/admin/credentials`, { client })).body.apiKey as string;
      await admin(s, 'POST', `${s.url.registry}/admin/grants`, { client, service: LOOKUP });
      await waitUntil('the new client to be granted everywhere', async () => (await xroad(s, client, LOOKUP, personalId, { key })).status === 200);
      return key;
    };
    const plain = 'VN/GOV/000.00.00.H26/HOTICH';
    const tester = 'VN/GOV/000.00.00.H26/KIEMTHU';
    const plainKey = await register(plain, false);
    const testerKey = await register(tester, true);

    const refused = await xroad(s, plain, LOOKUP, personalId, { key: plainKey, ...withFault('status=503') });
    expect({ status: refused.status, error: refused.headers.get('x-road-error') }).toEqual({ status: 500, error: FaultTypes.malformedRequest });
    expect(refused.body.message).toBe(`X-Emulator-Fault is honoured only for test clients, and ${plain} is not one (see the registry's testClient)`);
    const honoured = await xroad(s, tester, LOOKUP, personalId, { key: testerKey, ...withFault('status=503') });
    expect({ status: honoured.status, code: honoured.body.code }).toEqual({ status: 503, code: 'INJECTED' });
  });

  it('a fault rule with count=3 hits exactly the next 3 matching calls, says so in the ledger, and leaves other clients alone', async () => {
    const rule = await admin(s, 'POST', `${s.url.providers}/admin/fault-rules`, { match: { client: HCMC, service: 'citizen-lookup' }, action: { status: 503 }, count: 3 });
    expect(rule.status).toBe(201);
    expect(rule.body).toMatchObject({ count: 3, remaining: 3, hits: 0, live: true });
    const statuses: Array<[string, number]> = [];
    let first: Answer | undefined;
    for (let i = 0; i < 5; i++) {
      const r = await xroad(s, HCMC, LOOKUP, personalId);
      first ??= r;
      statuses.push(['HCMC', r.status]);
      statuses.push(['HANOI', (await xroad(s, HANOI, LOOKUP, personalId)).status]);
    }
    expect(statuses.filter(([c]) => c === 'HCMC').map(([, st]) => st)).toEqual([503, 503, 503, 200, 200]);
    expect(statuses.filter(([c]) => c === 'HANOI').every(([, st]) => st === 200)).toBe(true);
    expect(first!.headers.get('x-emulator-injected')).toBe(`rule ${rule.body.id}`);
    expect(await ledgerRow(first!)).toMatchObject({ statusCode: 503, injected: `rule ${rule.body.id}` });

    const listed = await admin(s, 'GET', `${s.url.providers}/admin/fault-rules`);
    expect(listed.body.rules).toEqual([expect.objectContaining({ id: rule.body.id, hits: 3, remaining: 0, live: false })]);
    expect((await admin(s, 'DELETE', `${s.url.providers}/admin/fault-rules/${rule.body.id}`)).status).toBe(200);
    expect((await admin(s, 'DELETE', `${s.url.providers}/admin/fault-rules/${rule.body.id}`)).status).toBe(404);
  });

  it('the rules API needs the admin credential and refuses a bad rule saying why', async () => {
    expect((await http('GET', `${s.url.providers}/admin/fault-rules`)).status).toBe(401);
    const bad = await admin(s, 'POST', `${s.url.providers}/admin/fault-rules`, { action: 'reset' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/exist only as X-Emulator-Fault/) });
  });

  // These two need GatewayHttp to act on the answer's `transport` (resetConnection, writeSlowly).
  it('reset: the connection is closed with no answer; the ledger marks the answer injected', async () => {
    await expect(xroad(s, HANOI, LOOKUP, personalId, withFault('reset'))).rejects.toThrow();
    await projected(s);
    const rows = (await admin(s, 'GET', `${s.url.ndxp}/ledger?client=${encodeURIComponent(HANOI)}&pageSize=5`)).body.items as Array<{ injected: string | null }>;
    expect(rows.some((r) => r.injected === 'reset')).toBe(true);
  });

  it('slow-body: the whole answer, trickling over the time asked for', async () => {
    const started = Date.now();
    const r = await xroad(s, HANOI, LOOKUP, personalId, withFault('slow-body=800ms'));
    expect({ status: r.status, id: r.body.personalId }).toEqual({ status: 200, id: personalId });
    expect(Date.now() - started).toBeGreaterThanOrEqual(750);
  });

  it('a recorded session replays through the CLI with every answer kept, and the conformance report judges each rule (#11)', async () => {
    const from = new Date(Date.now() - 1).toISOString();
    const key = keyOf(HANOI);
    const answers = [
      await xroad(s, HANOI, LOOKUP, personalId),
      await xroad(s, HANOI, LOOKUP, personalId, withFault('status=503')),
      await xroad(s, HANOI, LOOKUP, personalId, { headers: { 'Idempotency-Key': `kit-${Date.now()}` } }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 503, 200]);
    const har = await http('GET', `${s.url.lgsp}/journal.har?from=${encodeURIComponent(from)}`, { headers: { 'X-API-Key': key } });
    expect(har.status).toBe(200);
    const dir = mkdtempSync(join(tmpdir(), 'ndxp-kit-'));
    writeFileSync(join(dir, 'session.har'), JSON.stringify(har.body));
    const cli = (args: string[]) => spawnSync(process.execPath, [join(repoRoot(), 'dist', 'tools', 'cli', 'main.js'), ...args], { encoding: 'utf8', timeout: 60_000 });

    const replay = cli(['replay', join(dir, 'session.har'), '--against', s.url.lgsp, '--api-key', key, '--out', join(dir, 'replay')]);
    expect({ status: replay.status, stderr: replay.stderr }).toEqual({ status: 0, stderr: '' });
    const replayed = JSON.parse(readFileSync(join(dir, 'replay', 'replay.json'), 'utf8'));
    expect(replayed.summary).toEqual({ requests: 3, kept: 3, changed: 0, skipped: 0 });
    expect(readFileSync(join(dir, 'replay', 'replay.junit.xml'), 'utf8')).toMatch(/<testsuite [^>]*tests="3"[^>]*failures="0"/);

    const conformance = cli(['conformance', join(dir, 'session.har'), '--out', join(dir, 'conformance')]);
    const judged = JSON.parse(readFileSync(join(dir, 'conformance', 'conformance.json'), 'utf8'));
    const status = Object.fromEntries(judged.rules.map((r: { id: string; status: string }) => [r.id, r.status]));
    expect(Object.keys(status)).toEqual(['XRD-001', 'XRD-002', 'XRD-003', 'XRD-004', 'XRD-005', 'XRD-006', 'XRD-007', 'XRD-008']);
    expect(status['XRD-001']).toBe('pass'); // the lookups fit the service's OpenAPI
    expect(status['XRD-002']).toBe('pass'); // X-Road-Client on each
    // The third call repeats the second (a 503) at once: a retry with no back-off (the rule asks for 100 ms at least).
    expect(status['XRD-006']).toBe('fail');
    expect(conformance.status).toBe(1);

    // The provider's answer deliberately changed (a fault rule: 503 for this client's lookups): the replay says so.
    const rule = await admin(s, 'POST', `${s.url.providers}/admin/fault-rules`, { match: { client: HANOI, service: 'citizen-lookup' }, action: { status: 503 }, count: 10 });
    expect(rule.status).toBe(201);
    const changed = cli(['replay', join(dir, 'session.har'), '--against', s.url.lgsp, '--api-key', key, '--out', join(dir, 'replay-changed')]);
    expect(changed.status).toBe(1);
    const diff = JSON.parse(readFileSync(join(dir, 'replay-changed', 'replay.json'), 'utf8'));
    // The plain lookup changed (200 → 503). The one that asked for a 503 itself still got one, and the one with an
    // Idempotency-Key (kept on replay) got the gateway's stored first answer again, as a retry would.
    expect(diff.summary).toEqual({ requests: 3, kept: 2, changed: 1, skipped: 0 });
    expect(diff.results.map((r: { verdict: string }) => r.verdict)).toEqual(['changed', 'kept', 'kept']);
    expect(readFileSync(join(dir, 'replay-changed', 'replay.junit.xml'), 'utf8')).toMatch(/<testsuite [^>]*failures="1"/);
  }, 120_000);

  describe('the conformance report names exactly the rules a connector broke (#11)', () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    /** What the connector did since `from`, as the gateway's journal recorded it, judged rule by rule. */
    const judged = async (from: string) => {
      const har = await admin(s, 'GET', `${s.url.lgsp}/journal.har?from=${encodeURIComponent(from)}`);
      expect(har.status).toBe(200);
      // A storm threshold of 3 failed requests a second (the CLI's default is 10): a loaded CI machine answering
      // slowly still sees the storm as one, and the well-behaved connector sends 2 failed requests in 0.6 s.
      const report = checkConformance(parseHar(JSON.stringify(har.body)), { source: 'journal', settings: { stormRps: 3 } });
      const status = Object.fromEntries(report.rules.map((r) => [r.id, r.status]));
      return { exchanges: report.exchanges, failed: report.rules.filter((r) => r.status === 'fail').map((r) => r.id), status };
    };
    const phaseStart = async () => {
      await sleep(1100); // a second apart: no storm window spans two connectors
      return new Date().toISOString();
    };
    let other: string;
    beforeAll(async () => {
      [{ personal_id: other }] = (await s.db.query('SELECT personal_id FROM national.citizens ORDER BY personal_id DESC LIMIT 1')).rows;
    });

    it('a naive connector: one X-Road-Id for two requests, and a request without X-Road-Client; no retries', async () => {
      const from = await phaseStart();
      await xroad(s, HANOI, LOOKUP, personalId, { headers: { 'X-Road-Id': 'naive-connector-1', 'X-Emulator-Fault': 'fault=Server.ServerProxy.NetworkError' } });
      await xroad(s, HANOI, LOOKUP, other, { headers: { 'X-Road-Id': 'naive-connector-1' } });
      const noClient = await http('GET', `${s.url.lgsp}/r1/${LOOKUP}/${other}`, { headers: { 'X-API-Key': keyOf(HANOI) } });
      expect(noClient.headers.get('x-road-error')).toBe('Server.ClientProxy.InvalidClientIdentifier'); // as the reference security server refuses it
      const j = await judged(from);
      expect(j.exchanges).toBe(3);
      expect(j.failed).toEqual(['XRD-002', 'XRD-003']);
      // It never retried: the retry rules had nothing to judge.
      expect([j.status['XRD-004'], j.status['XRD-006']]).toEqual(['not-applicable', 'not-applicable']);
    });

    it('a retry storm: it retries a provider 400, then a failing service at once, 25 times, each with a new Idempotency-Key', async () => {
      const from = await phaseStart();
      await xroad(s, HANOI, LOOKUP, personalId, { headers: { 'X-Emulator-Fault': 'status=400' } });
      for (let i = 0; i < 25; i++) await xroad(s, HANOI, LOOKUP, personalId, { headers: { 'X-Emulator-Fault': 'status=503', 'Idempotency-Key': `storm-${i}-${Date.now()}` } });
      const j = await judged(from);
      expect(j.exchanges).toBe(26);
      expect(j.failed).toEqual(['XRD-004', 'XRD-005', 'XRD-006', 'XRD-007']);
    });

    it('a well-behaved connector: retries a 503 after growing pauses, with the first attempt’s Idempotency-Key', async () => {
      const from = await phaseStart();
      const key = `polite-${Date.now()}`;
      await xroad(s, HANOI, LOOKUP, personalId, { headers: { 'X-Emulator-Fault': 'status=503', 'Idempotency-Key': key } });
      await sleep(150);
      await xroad(s, HANOI, LOOKUP, personalId, { headers: { 'X-Emulator-Fault': 'status=503', 'Idempotency-Key': key } });
      await sleep(400);
      const last = await xroad(s, HANOI, LOOKUP, personalId, { headers: { 'Idempotency-Key': key } });
      expect(last.status).toBe(200);
      const j = await judged(from);
      expect(j.exchanges).toBe(3);
      expect(j.failed).toEqual([]);
      // Its retries were judged, and passed: not merely out of the rules' reach.
      expect([j.status['XRD-004'], j.status['XRD-005'], j.status['XRD-006'], j.status['XRD-007']]).toEqual(['pass', 'pass', 'pass', 'pass']);
    });
  });
});
