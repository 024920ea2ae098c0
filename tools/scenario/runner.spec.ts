import type { Stack } from '@ndxp/infra';
import { scheduleFaults } from './runner';
import { parseScenario } from './scenario';

/** A stack whose local brokers only note what was done to them, and when. */
function fakeStack(kafkaNodes: number) {
  const calls: string[] = [];
  const note = (what: string) => async (i?: number) => void calls.push(i === undefined ? what : `${what} ${i}`);
  const infra = { kafkaNodes, killBroker: note('kill'), startBroker: note('start'), restartBroker: note('restart'), restartKafka: note('restart all') };
  const stack = { infra, apps: [{ app: 'providers', port: 1 }] } as unknown as Stack;
  return { stack, calls };
}

// 600 simulated seconds a real second: a minute of the scenario is 0.1 s.
const scenario = (faults: string, brokers = 3) =>
  parseScenario(`name: t\ntopology: { brokers: ${brokers} }\nload: { rate: 1 }\ntime: { duration: 1h, compression: 600 }\nfaults:\n${faults}`, 't.yaml');

describe('broker faults in a scenario', () => {
  it('given a kill of broker 2 for a minute and a restart of broker 3, then kill -9, start again, restart, in time order, each in the report', async () => {
    const { stack, calls } = fakeStack(3);
    const s = scenario(
      '  - { at: "00:01", kind: broker-kill, broker: 2, for: 1m }\n  - { at: "00:03", kind: broker-restart, broker: 3 }\n  - { at: "00:04", kind: broker-restart }\n',
    );
    const lines: string[] = [];
    const f = scheduleFaults(s, stack, (l) => lines.push(l), Date.now());
    await f.done;
    expect(calls).toEqual(['kill 2', 'start 2', 'restart 3', 'restart all']);
    expect(f.applied.map((a) => [a.at, a.kind])).toEqual([
      ['00:01', 'broker-kill'],
      ['00:02', 'broker-start'],
      ['00:03', 'broker-restart'],
      ['00:04', 'broker-restart'],
    ]);
    expect(f.kills).toHaveLength(1);
    expect(f.kills[0].entry.detail).toBe('Kafka broker 2 killed (SIGKILL), started again 1 simulated min later');
    expect(lines.filter((l) => l.startsWith('fault step failed'))).toEqual([]);
  });

  it('given a scenario for three brokers on a stack of one, when broker 3 is to be killed, then nothing is killed and the log says why', async () => {
    const { stack, calls } = fakeStack(1);
    const lines: string[] = [];
    const f = scheduleFaults(scenario('  - { at: "00:01", kind: broker-kill, broker: 3 }\n'), stack, (l) => lines.push(l), Date.now());
    await f.done;
    expect(calls).toEqual([]);
    expect(lines).toContain('fault step failed: broker-kill of broker 3, but 1 local broker(s) run (KAFKA_CLUSTER_SIZE or --brokers set fewer than topology.brokers?)');
  });
});
