import { CapacityInputError, capacityModel, CaseResult, defaultInputs, INPUT_KEYS, InputKey, Inputs, inputSpecs, MeasuredRate, Output, ROLES, withInput } from '../capacity/model';

/** Flags that set one input; `--set KEY=VALUE` sets any. */
const FLAG_INPUTS: Record<string, InputKey> = {
  '--daily': 'averageDay',
  '--september-daily': 'septemberDay',
  '--growth': 'growth',
  '--peak-factor': 'peakHourFactor',
  '--utilisation': 'targetUtilisation',
  '--replication': 'replicationFactor',
};

function inputList(): string {
  const specs: Record<string, { value: number; unit: string; kind: string }> = inputSpecs();
  return INPUT_KEYS.map((k) => `  ${k.padEnd(24)}${String(specs[k].value).padStart(9)} ${specs[k].unit.padEnd(12)} ${specs[k].kind}`).join('\n');
}

export const CAPACITY_HELP = `ndxp capacity: the cores, Kafka brokers, partitions and database size the national volumes need

Usage:
  npm run ndxp -- capacity [--daily N] [--september-daily N] [--growth N] [--peak-factor X]
                           [--utilisation X] [--replication N] [--cpu-ms ROLE=MS[,ROLE=MS]]
                           [--cpu-from 1000|300] [--set KEY=VALUE]... [--json]

Sizes three cases, each for its busiest hour: a September 2022 day (58.4 M
in 26 days), the 2022 average day (2.36 M) and --growth (10) times that. The
busiest hour is the day's average rate × the peak-hour factor, which is NOT
published: the default is the scenarios' office-hours shape (an assumption).

  cores(role) = peak-hour tx/s × CPU ms/tx(role) ÷ 1000 ÷ target utilisation

with the CPU each component was measured to spend per transaction (README,
"## Performance"). It prints every output's formula and every input with
where it comes from (published, measured, code, estimated, assumed): change any.

Options:
  --daily N            transactions on the 2022 average day (2360000)
  --september-daily N  transactions on a September 2022 day (2246044)
  --growth N           the third case is N times the average day (10)
  --peak-factor X      busiest hour ÷ average hour (2.62, assumed)
  --utilisation X      target CPU utilisation at the peak hour, 0 < X ≤ 1 (0.6)
  --replication N      Kafka replication factor (3)
  --cpu-ms ROLE=MS     CPU ms per transaction of a role: ${ROLES.join(', ')};
                       repeat it or separate with commas, e.g. --cpu-ms gateway=0.5,hub=0.3
  --cpu-from RATE      which measured rate's CPU costs are the defaults: 1000 (at
                       the knee, the lowest cost per transaction) or 300 (higher
                       per transaction: fixed costs shared by fewer)
  --set KEY=VALUE      any input below, e.g. --set eventRetentionDays=30
  --json               the inputs and the three cases as JSON

Inputs (KEY, default, unit, provenance):
${inputList()}

Exit code: 0; 2 for a bad option or value (the message names the flag).
`;

interface Parsed {
  inputs: Inputs;
  json: boolean;
}

function valueOf(args: string[], i: number): string {
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) throw new CapacityInputError(`${args[i]} needs a value (see 'npm run ndxp -- capacity --help')`);
  return v;
}

function cpuFrom(args: string[]): MeasuredRate {
  const i = args.indexOf('--cpu-from');
  if (i < 0) return 1000;
  const v = valueOf(args, i);
  if (v !== '1000' && v !== '300') throw new CapacityInputError(`--cpu-from must be 1000 or 300 (the rates CPU was measured at), got "${v}"`);
  return Number(v) as MeasuredRate;
}

function pairs(raw: string, flag: string): Array<[string, string]> {
  return raw.split(',').map((p) => {
    const eq = p.indexOf('=');
    if (eq < 1) throw new CapacityInputError(`${flag} takes NAME=VALUE, got "${p}"`);
    return [p.slice(0, eq).trim(), p.slice(eq + 1).trim()];
  });
}

function withCpu(inputs: Inputs, raw: string): Inputs {
  return pairs(raw, '--cpu-ms').reduce((acc, [role, ms]) => {
    if (!(ROLES as readonly string[]).includes(role)) throw new CapacityInputError(`--cpu-ms: no role "${role}" (roles: ${ROLES.join(', ')})`);
    return withInput(acc, `cpuMs.${role}` as InputKey, ms, `--cpu-ms ${role}`);
  }, inputs);
}

function withSet(inputs: Inputs, raw: string): Inputs {
  return pairs(raw, '--set').reduce((acc, [key, value]) => {
    if (!(INPUT_KEYS as string[]).includes(key)) throw new CapacityInputError(`--set: no input "${key}" (see 'npm run ndxp -- capacity --help' for the list)`);
    return withInput(acc, key as InputKey, value, `--set ${key}`);
  }, inputs);
}

/** The options, applied in order over the defaults (--cpu-from first, as it picks the defaults). */
export function parseCapacityArgs(args: string[]): Parsed {
  let inputs = defaultInputs(cpuFrom(args));
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--json') json = true;
    else if (a === '--cpu-from') i++;
    else if (a === '--cpu-ms') inputs = withCpu(inputs, valueOf(args, i++));
    else if (a === '--set') inputs = withSet(inputs, valueOf(args, i++));
    else if (FLAG_INPUTS[a]) inputs = withInput(inputs, FLAG_INPUTS[a], valueOf(args, i++), a);
    else throw new CapacityInputError(`unknown option "${a}" (see 'npm run ndxp -- capacity --help')`);
  }
  return { inputs, json };
}

const grouped = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** A value as the table shows it: counts whole, rates and cores with decimals, sizes with fewer decimals as they grow. */
export function shown(o: Output): string {
  if (o.unit === 'tx/s') return grouped(o.value, 1);
  if (o.unit === 'cores' || o.unit === 'MB/s') return grouped(o.value, 2);
  if (o.unit === 'GB') return grouped(o.value, o.value < 10 ? 2 : o.value < 1000 ? 1 : 0);
  return grouped(o.value);
}

function table(cases: CaseResult[]): string {
  const labelWidth = Math.max(...cases[0].outputs.map((o) => o.label.length), 20) + 2;
  const widths = cases.map((c) => Math.max(c.title.length, 12) + 3);
  const row = (label: string, cells: string[]) => label.padEnd(labelWidth) + cells.map((c, k) => c.padStart(widths[k])).join('');
  const lines = [
    row(
      '',
      cases.map((c) => c.title),
    ),
    row(
      'transactions a day',
      cases.map((c) => grouped(c.dailyTransactions)),
    ),
  ];
  cases[0].outputs.forEach((o, k) =>
    lines.push(
      row(
        o.label,
        cases.map((c) => shown(c.outputs[k])),
      ),
    ),
  );
  return lines.join('\n');
}

function formulas(cases: CaseResult[]): string {
  const seen = new Set<string>();
  const lines = cases[0].outputs.filter((o) => !seen.has(o.formula) && seen.add(o.formula)).map((o) => `  ${o.formula}`);
  return [`  tx/day = ${cases.map((c) => c.dailyFrom).join(' | ')} (the three cases)`, ...lines].join('\n');
}

function inputsText(inputs: Inputs, cpu: MeasuredRate): string {
  const specs: Record<string, { value: number; unit: string; kind: string; source: string }> = inputSpecs(cpu);
  return INPUT_KEYS.map((k) => {
    const changed = inputs[k] !== specs[k].value;
    const provenance = changed ? `CHANGED here (default ${specs[k].value}, ${specs[k].kind})` : `${specs[k].kind}: ${specs[k].source}`;
    return `  ${k.padEnd(24)}${String(inputs[k]).padStart(10)} ${specs[k].unit.padEnd(12)} ${provenance}`;
  }).join('\n');
}

/** The printed model: the table of the three cases, the formulas, and the inputs with their provenance. */
export function capacityText(inputs: Inputs, cpu: MeasuredRate = 1000): string {
  const cases = capacityModel(inputs);
  return [
    'Capacity model (issue #12). Each case is sized for its busiest hour.',
    '',
    table(cases),
    '',
    'Formulas:',
    formulas(cases),
    '',
    'Inputs (change one with --set KEY=VALUE; see --help):',
    inputsText(inputs, cpu),
    '',
  ].join('\n');
}

export interface CapacityIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const STDIO: CapacityIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

/** `ndxp capacity`: prints the model and returns the exit code, 0; or 2 for a bad option or value, said on stderr. */
export function capacityCommand(args: string[], io: CapacityIo = STDIO): number {
  if (args.includes('--help') || args.includes('-h') || args[0] === 'help') {
    io.out(CAPACITY_HELP);
    return 0;
  }
  try {
    const { inputs, json } = parseCapacityArgs(args);
    const cpu = cpuFrom(args);
    io.out(json ? `${JSON.stringify({ inputs, provenance: inputSpecs(cpu), cases: capacityModel(inputs) }, null, 2)}\n` : capacityText(inputs, cpu));
    return 0;
  } catch (e) {
    if (!(e instanceof CapacityInputError)) throw e;
    io.err(`ndxp-emulator: ${e.message}\n`);
    return 2;
  }
}
