import { defaultInputs, MEASURED_CPU_MS } from '../capacity/model';
import { capacityCommand, parseCapacityArgs } from './capacity-command';

/** Runs the command with its output captured: the exit code, stdout and stderr. */
function run(...args: string[]): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const code = capacityCommand(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join(''), err: err.join('') };
}

describe('ndxp capacity', () => {
  it('given --help, then the usage, the core formula, every option, every input and the exit codes', () => {
    const { code, out } = run('--help');
    expect(code).toBe(0);
    expect(out).toMatch(/npm run ndxp -- capacity \[--daily N\]/);
    expect(out).toMatch(/cores\(role\) = peak-hour tx\/s × CPU ms\/tx\(role\) ÷ 1000 ÷ target utilisation/);
    for (const flag of ['--daily', '--september-daily', '--growth', '--peak-factor', '--utilisation', '--replication', '--cpu-ms', '--cpu-from', '--set', '--json'])
      expect(out).toContain(flag);
    expect(out).toMatch(/peakHourFactor\s+2\.62 × average\s+assumed/);
    expect(out).toMatch(/Exit code: 0; 2 for a bad option/);
  });

  it('given no options, then the table of the three cases, the formulas and the inputs with their provenance', () => {
    const { code, out } = run();
    expect(code).toBe(0);
    expect(out).toMatch(/September 2022, peak hour\s+2022 average day, peak hour\s+10 × 2022 average day, peak hour/);
    expect(out).toMatch(/transactions a day\s+2,246,044\s+2,360,000\s+23,600,000/);
    expect(out).toMatch(/peak-hour tx\/s \(sized for\)\s+68\.1\s+71\.6\s+715\.6/);
    expect(out).toContain('cores(gateway) = peak-hour tx/s × cpuMs.gateway ÷ 1000 ÷ targetUtilisation');
    expect(out).toMatch(new RegExp(`cpuMs\\.gateway\\s+${MEASURED_CPU_MS[1000].gateway} CPU ms/tx\\s+measured: README "## Performance"`));
    expect(out).toMatch(/peakHourFactor\s+2\.62 × average\s+assumed: busiest hour/);
  });

  it('given overrides, then the inputs are changed in order and marked as changed', () => {
    const { inputs } = parseCapacityArgs(['--daily', '5000000', '--peak-factor', '4', '--cpu-ms', 'gateway=0.5,hub=0.3', '--set', 'eventRetentionDays=30', '--growth', '2']);
    expect(inputs).toEqual({ ...defaultInputs(), averageDay: 5_000_000, peakHourFactor: 4, 'cpuMs.gateway': 0.5, 'cpuMs.hub': 0.3, eventRetentionDays: 30, growth: 2 });
    const { out } = run('--daily', '5000000');
    expect(out).toMatch(/averageDay\s+5000000 tx\/day\s+CHANGED here \(default 2360000, published\)/);
  });

  it('given --cpu-from 300, then the CPU costs measured at 300/s, still overridable after', () => {
    expect(parseCapacityArgs(['--cpu-from', '300']).inputs['cpuMs.gateway']).toBe(MEASURED_CPU_MS[300].gateway);
    expect(parseCapacityArgs(['--cpu-ms', 'gateway=0.9', '--cpu-from', '300']).inputs['cpuMs.gateway']).toBe(0.9);
    expect(run('--cpu-from', '300').out).toMatch(new RegExp(`cpuMs\\.gateway\\s+${MEASURED_CPU_MS[300].gateway} CPU ms/tx\\s+measured: .*300/s offered`));
  });

  it('given --json, then the inputs, their provenance and the three cases with their formulas', () => {
    const parsed = JSON.parse(run('--json').out);
    expect(parsed.inputs.averageDay).toBe(2_360_000);
    expect(parsed.provenance.peakHourFactor.kind).toBe('assumed');
    expect(parsed.cases.map((c: { id: string }) => c.id)).toEqual(['september-2022-peak-hour', 'average-day-2022', 'growth']);
    expect(parsed.cases[1].outputs.find((o: { key: string }) => o.key === 'cores.total').formula).toBe(
      'cores(all) = cores(gateway) + cores(hub) + cores(databases) + cores(kafka) + cores(postgres)',
    );
  });

  it.each([
    [['--daily', 'lots'], /--daily must be a number above 0 \(tx\/day\), got "lots"/],
    [['--daily'], /--daily needs a value/],
    [['--utilisation', '0'], /--utilisation must be a number above 0 and at most 1/],
    [['--cpu-ms', 'gateway'], /--cpu-ms takes NAME=VALUE, got "gateway"/],
    [['--cpu-ms', 'frontend=1'], /--cpu-ms: no role "frontend" \(roles: gateway, hub, databases, kafka, postgres\)/],
    [['--cpu-ms', 'hub=-0.1'], /--cpu-ms hub must be a number above 0/],
    [['--cpu-from', '500'], /--cpu-from must be 1000 or 300/],
    [['--set', 'coresPerBroker=4'], /--set: no input "coresPerBroker"/],
    [['--set', 'replicationFactor=two'], /--set replicationFactor must be a whole number from 1/],
    [['--brokers', '3'], /unknown option "--brokers"/],
  ])('given %j, then exit code 2 and an error naming the flag', (args, message) => {
    const { code, out, err } = run(...args);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(/^ndxp-emulator: /);
    expect(err).toMatch(message);
  });
});
