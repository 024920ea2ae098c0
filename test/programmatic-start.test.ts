import { existsSync } from 'fs';
import { Client } from 'pg';
import { Emulator, startEmulator } from '@ndxp/infra';
import { ASYNCAPI_VERSION, DEFAULT_SEED_SECRET, FaultTypes, seedApiKey } from '@ndxp/contracts';

const HANOI = '000.00.00.H26';
const HCMC = '000.00.00.H29';
const POPULATION = 'VN/GOV/000.00.00.G01/CSDLQGDC';

// The README's "From a test suite" example, as a test: a suite starts the emulator with the LGSPs it wants, calls
// through a gateway with a returned key, and stops it.
describe('startEmulator: the emulator in a test suite', () => {
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await startEmulator({ lgsps: [HANOI, HCMC] });
  });

  afterAll(async () => {
    await emulator?.stop();
  });

  it('hosts the LGSPs asked for, each with its seeded client and key', () => {
    expect(emulator.clients.map((c) => c.lgsp)).toEqual([HANOI, HCMC]);
    const hanoi = emulator.client(HANOI);
    expect(hanoi).toMatchObject({ subsystem: `VN/GOV/${HANOI}/MOTCUA`, lgspUrl: emulator.urls.lgsp });
    expect(hanoi.apiKey).toBe(seedApiKey(DEFAULT_SEED_SECRET, hanoi.subsystem));
    expect(() => emulator.client('000.00.00.H01')).toThrow(/hosts no LGSP 000.00.00.H01/);
  });

  it('answers an X-Road call made with a returned key, and records it in the ledger', async () => {
    const db = new Client({ connectionString: emulator.databaseUrl });
    await db.connect();
    const [citizen] = (await db.query('SELECT personal_id FROM national.citizens ORDER BY personal_id LIMIT 1')).rows;
    await db.end();
    const hanoi = emulator.client(HANOI);
    const r = await fetch(`${hanoi.lgspUrl}/r1/${POPULATION}/citizen-lookup/${citizen.personal_id}`, { headers: hanoi.headers });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ personalId: citizen.personal_id });
    // Without the key, the gateway refuses it
    const refused = await fetch(`${hanoi.lgspUrl}/r1/${POPULATION}/citizen-lookup/${citizen.personal_id}`, { headers: { 'X-Road-Client': hanoi.subsystem } });
    expect(refused.headers.get('x-road-error')).toBe(FaultTypes.sslAuthenticationFailed);
    // and the admin token reads the call's row in the ledger, once the projection has it
    const id = r.headers.get('x-road-transaction-id');
    expect(id).toBeTruthy();
    // The row appears with the request and is completed with the answer's event: wait for both.
    const row = async () => {
      const res = await fetch(`${emulator.urls.ndxp}/ledger/${id}`, { headers: { authorization: `Bearer ${emulator.adminToken}` } });
      return res.status === 200 ? ((await res.json()) as { client: string; statusCode: number | null }) : undefined;
    };
    let found = await row();
    for (const deadline = Date.now() + 15_000; !found?.statusCode && Date.now() < deadline; found = await row()) await new Promise((res) => setTimeout(res, 200));
    expect(found).toMatchObject({ client: hanoi.subsystem, statusCode: 200 });
  });

  it('serves the AsyncAPI document of its topics', async () => {
    const r = await fetch(`${emulator.urls.ndxp}/docs/asyncapi.json`);
    expect(r.status).toBe(200);
    expect(((await r.json()) as { asyncapi: string }).asyncapi).toBe(ASYNCAPI_VERSION);
  });

  it('stops every process, and a second stop is harmless', async () => {
    const pids = emulator.stack.apps.map((a) => a.child.pid!);
    await emulator.stop();
    await emulator.stop();
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    await expect(fetch(`${emulator.urls.lgsp}/health`)).rejects.toThrow();
    expect(existsSync(emulator.runDir)).toBe(false);
  });
});
