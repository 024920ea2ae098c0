import { ChildProcess, spawn } from 'child_process';
import { readFileSync } from 'fs';
import { join } from 'path';
import { createInterface } from 'readline';
import { Client } from 'pg';
import { DEFAULT_SEED_SECRET, seedApiKey } from '@ndxp/contracts';
import { dropDatabase, exited, fetchJson, isAlive, repoRoot } from '@ndxp/infra';
import { DEV_MODE_MARK } from '@ndxp/platform';
import { isolatedEnv } from './support/env';

/**
 * Drives the README's first command as a user would: `ndxp up` in a child
 * process, the apps checked over HTTP, then Ctrl-C (SIGINT) and a check that
 * nothing it started is left running.
 */
describe('ndxp up: the whole stack', () => {
  let env: NodeJS.ProcessEnv;
  let cli: ChildProcess | undefined;
  const output: string[] = [];

  beforeAll(async () => {
    env = await isolatedEnv('stack');
    // Two LGSP processes sharing the 85 LGSPs, and two hubs sharing the requests.
    Object.assign(env, { LGSP_PROCESSES: '2', NDXP_PROCESSES: '2' });
    await dropDatabase(`postgres://postgres@127.0.0.1:5432/${env.NDXP_DATABASE}`);
  });

  afterAll(async () => {
    if (cli && cli.exitCode === null) {
      cli.kill('SIGINT');
      await exited(cli);
    }
    await dropDatabase(`postgres://postgres@127.0.0.1:5432/${env.NDXP_DATABASE}`);
  });

  it('brings up Kafka, Postgres and the apps (two gateways, two hubs), all healthy, runs the smoke exchange, and stops everything on Ctrl-C', async () => {
    cli = spawn(process.execPath, [join(repoRoot(), 'dist', 'tools', 'cli', 'main.js'), 'up'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const ready = new Promise<void>((resolve, reject) => {
      for (const s of [cli!.stdout!, cli!.stderr!])
        createInterface({ input: s }).on('line', (l) => {
          output.push(l);
          if (l.includes('press Ctrl-C to stop everything')) resolve();
        });
      cli!.once('exit', (code) => reject(new Error(`ndxp up exited with ${code}:\n${output.join('\n')}`)));
    });
    await ready;
    const text = output.join('\n');
    // Development mode says its keys are public once per `up`, not once per process (six here).
    expect(output.filter((l) => l.includes(DEV_MODE_MARK))).toHaveLength(1);
    expect(text).toMatch(/smoke exchange: LGSP → Kafka → NDXP \(ndxp-[12]\) → LGSP in [\d.]+ ms/);

    // Each process says where it listens; the first of each app keeps its own port, the others none of theirs.
    const portOf = (instance: string) => Number(text.match(new RegExp(`${instance}: healthy on http://127\\.0\\.0\\.1:(\\d+)`))?.[1]);
    const ports = Object.fromEntries(['registry-1', 'providers-1', 'ndxp-1', 'ndxp-2', 'lgsp-1', 'lgsp-2'].map((i) => [i, portOf(i)]));
    expect(ports).toMatchObject({
      'registry-1': Number(env.REGISTRY_PORT),
      'ndxp-1': Number(env.NDXP_PORT),
      'lgsp-1': Number(env.LGSP_PORT),
      'providers-1': Number(env.PROVIDERS_PORT),
    });
    expect(new Set(Object.values(ports)).size).toBe(6);
    const pids: number[] = [];
    for (const [instance, port] of Object.entries(ports)) {
      const app = instance.replace(/-\d+$/, '');
      const health = await fetchJson(`http://127.0.0.1:${port}/health`);
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({
        status: 'ok',
        app,
        instance,
        checks: { kafka: { status: 'up', brokers: 1 }, postgres: { status: 'up', database: env.NDXP_DATABASE } },
      });
      pids.push(health.body.pid);
      const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(metrics.status).toBe(200);
      const text = await metrics.text();
      expect(text).toContain(`process_cpu_user_seconds_total{app="${app}"`);
      if (app === 'registry') {
        expect(text).toMatch(/^registry_agencies\{app="registry",instance="registry-1"\} 96$/m);
        expect(text).toMatch(/^registry_lgsps\{[^}]*\} 85$/m);
        expect(text).toMatch(/^registry_credentials\{state="active",[^}]*\} 85$/m);
        expect(text).toMatch(/^registry_outbox_pending\{[^}]*\} 0$/m);
      }
      if (app === 'ndxp') expect(text).toMatch(/^kafka_consumer_lag_messages\{group="ndxp-hub",topic="ndxp.hub.requests",[^}]*\} \d+$/m);
      const docs = await fetchJson(`http://127.0.0.1:${port}/docs/openapi.json`);
      expect(docs.body.paths['/health']).toBeDefined();
    }
    const smoke = await fetchJson(`http://127.0.0.1:${env.LGSP_PORT}/ops/smoke`);
    expect(smoke.status).toBe(200);
    expect(smoke.body).toMatchObject({ lgsp: 'lgsp-1', hub: expect.stringMatching(/^ndxp-[12]$/) });

    // The two gateways host disjoint halves of the 85 LGSPs; each serves its own clients.
    const lgsp2 = ports['lgsp-2'];
    const [one, two] = await Promise.all([fetchJson(`http://127.0.0.1:${env.LGSP_PORT}/lgsps`), fetchJson(`http://127.0.0.1:${lgsp2}/lgsps`)]);
    const codes1: string[] = one.body.items.map((i: { code: string }) => i.code);
    const codes2: string[] = two.body.items.map((i: { code: string }) => i.code);
    expect(codes1.length + codes2.length).toBe(85);
    expect(new Set([...codes1, ...codes2]).size).toBe(85);
    const pg0 = new Client({ connectionString: `postgres://postgres@127.0.0.1:5432/${env.NDXP_DATABASE}` });
    await pg0.connect();
    const [citizen] = (await pg0.query('SELECT personal_id FROM national.citizens LIMIT 1')).rows;
    await pg0.end();
    const client2 = `VN/GOV/${codes2[0]}/MOTCUA`;
    const call = (port: number | string) =>
      fetch(`http://127.0.0.1:${port}/r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup/${citizen.personal_id}`, {
        headers: { 'X-Road-Client': client2, 'X-API-Key': seedApiKey(DEFAULT_SEED_SECRET, client2) },
      });
    expect((await call(lgsp2)).status).toBe(200);
    const wrong = await call(env.LGSP_PORT!);
    expect(wrong.status).toBe(500);
    expect(wrong.headers.get('x-road-error')).toBe('Server.ClientProxy.UnknownMember');

    // Migrations ran at start: the registry's event store exists, and each app has its schema.
    const pg = new Client({ connectionString: `postgres://postgres@127.0.0.1:5432/${env.NDXP_DATABASE}` });
    await pg.connect();
    const tables = await pg.query(
      `SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE table_schema IN ('registry','ndxp','lgsp','national') ORDER BY 1`,
    );
    await pg.end();
    expect(tables.rows.map((r) => r.t)).toEqual(
      expect.arrayContaining(['lgsp.migrations', 'ndxp.migrations', 'ndxp.transactions', 'registry.events', 'registry.migrations', 'registry.outbox']),
    );

    const brokerPid = Number(readFileSync(join(env.NDXP_RUN_DIR!, 'kafka', 'broker.pid'), 'utf8'));
    pids.push(brokerPid);
    expect(pids.every(isAlive)).toBe(true);

    cli.kill('SIGINT');
    const code = await exited(cli);
    expect(code).toBe(0);
    expect(output.join('\n')).toMatch(/stopped; no process left running/);
    expect(pids.filter(isAlive)).toEqual([]);
  });
});
