import { HOT_TOPIC_PARTITIONS } from '@ndxp/contracts/topics';
import { OFFICE_HOURS } from '../scenario/profile';
import { estimateRecordSizes } from './record-sizes';

/**
 * The capacity model (issue #12): from the published volumes and the CPU each
 * component was measured to spend per transaction, the cores, processes, Kafka
 * brokers, partitions and disk, and the ledger's size, a deployment needs.
 * Pure: inputs in, outputs out, and each output says its formula so that an
 * architect can check it and change an input (`npm run ndxp -- capacity`).
 *
 * Every input says where it comes from: published (data/domain/national-figures.md),
 * measured (this project's README, "## Performance"; the ledger's row size),
 * code (what the emulator does), estimated (worked out from the code), or
 * assumed (nobody published it: change it).
 */

export type Provenance = 'published' | 'measured' | 'code' | 'estimated' | 'assumed';

/** What a value must be: > 0; in (0, 1]; ≥ 0; a whole number ≥ 1. */
export type Rule = 'positive' | 'fraction' | 'non-negative' | 'whole';

export interface InputSpec {
  value: number;
  unit: string;
  kind: Provenance;
  source: string;
  rule: Rule;
}

/** The components whose CPU per transaction was measured. */
export const ROLES = ['gateway', 'hub', 'databases', 'kafka', 'postgres'] as const;
export type Role = (typeof ROLES)[number];

/** The Node.js apps: each process runs its JavaScript on one thread, so one process uses at most one core. */
export const NODE_ROLES = ['gateway', 'hub', 'databases'] as const satisfies readonly Role[];

const ROLE_NAMES: Record<Role, string> = { gateway: 'gateway (LGSP)', hub: 'hub (NDXP)', databases: 'national databases', kafka: 'Kafka', postgres: 'PostgreSQL' };
export const roleName = (r: Role): string => ROLE_NAMES[r];

/** The two rates `npm run bench` measured CPU at (README, "## Performance", table "CPU over the measured seconds"). */
export type MeasuredRate = 1000 | 300;
export const MEASURED_CPU_MS: Record<MeasuredRate, Record<Role, number>> = {
  // bench/published/exchange-2026-11-30T16-35-05-556Z.json, medians of two repeats
  1000: { gateway: 0.54, hub: 0.39, databases: 0.19, kafka: 0.21, postgres: 0.28 },
  300: { gateway: 1.2, hub: 1.21, databases: 0.89, kafka: 1.44, postgres: 0.82 },
};

const FIGURES = 'data/domain/national-figures.md';
const PERFORMANCE = 'README "## Performance", CPU over the measured seconds';

/** September 2022 to 26/9: 58,397,139 transactions in 26 days. */
export const SEPTEMBER_2022_TRANSACTIONS = 58_397_139;
export const SEPTEMBER_2022_DAYS = 26;

/** The office-hours profile's busiest hour over its mean hour (tools/scenario/profile.ts): the scenarios' own shape. */
export const OFFICE_HOURS_PEAK_FACTOR = Math.max(...OFFICE_HOURS);

/** The estimated Kafka records of one transaction (record-sizes.ts): how many of each kind, and their mean bytes. */
const RECORDS = estimateRecordSizes();

function cpuInputs(rate: MeasuredRate): Record<`cpuMs.${Role}`, InputSpec> {
  const measured = MEASURED_CPU_MS[rate];
  const spec = (r: Role): InputSpec => ({
    value: measured[r],
    unit: 'CPU ms/tx',
    kind: 'measured',
    source: `${PERFORMANCE}, ${rate.toLocaleString('en-US')}/s offered, on one 2-core machine${r === 'kafka' ? ', one broker (replication factor 1)' : ''}`,
    rule: 'positive',
  });
  return { 'cpuMs.gateway': spec('gateway'), 'cpuMs.hub': spec('hub'), 'cpuMs.databases': spec('databases'), 'cpuMs.kafka': spec('kafka'), 'cpuMs.postgres': spec('postgres') };
}

/** Every input with its default and where that comes from; `cpuFrom` picks which measured rate's CPU costs are the defaults. */
export function inputSpecs(cpuFrom: MeasuredRate = 1000) {
  return {
    averageDay: { value: 2_360_000, unit: 'tx/day', kind: 'published', source: `${FIGURES}: year 2022, ~860 million, ~2.36 M a day on average`, rule: 'positive' },
    septemberDay: {
      value: Math.round(SEPTEMBER_2022_TRANSACTIONS / SEPTEMBER_2022_DAYS),
      unit: 'tx/day',
      kind: 'published',
      source: `${FIGURES}: September 2022 (to 26/9), 58,397,139 in 26 days`,
      rule: 'positive',
    },
    growth: { value: 10, unit: '×', kind: 'assumed', source: "the third case: this many times the 2022 average day (issue #12's ten times)", rule: 'positive' },
    peakHourFactor: {
      value: round(OFFICE_HOURS_PEAK_FACTOR, 2),
      unit: '× average',
      kind: 'assumed',
      source: "busiest hour over the day's average hour; not published (only daily and monthly totals are): the scenarios' office-hours shape, tools/scenario/profile.ts",
      rule: 'positive',
    },
    targetUtilisation: { value: 0.6, unit: 'of a core', kind: 'assumed', source: 'CPU busy at the peak hour, leaving room for bursts, a failed node and GC', rule: 'fraction' },
    ...cpuInputs(cpuFrom),
    requestRecordsPerTx: {
      value: RECORDS.requests.length,
      unit: 'records/tx',
      kind: 'code',
      source: 'exchange request and response (gateway ↔ hub), provider request and response (hub ↔ national database)',
      rule: 'whole',
    },
    eventRecordsPerTx: {
      value: RECORDS.events.length,
      unit: 'records/tx',
      kind: 'code',
      source: 'on ndxp.transactions, one record per step: TransactionRequested + Routed (hub), Responded + Completed (hub), Answered (gateway)',
      rule: 'whole',
    },
    requestRecordBytes: {
      value: RECORDS.meanRequestBytes,
      unit: 'bytes',
      kind: 'estimated',
      source:
        'mean of the 4 envelopes (libs/contracts exchange.ts) of a citizen lookup as JSON, with key, headers and record framing: tools/capacity/record-sizes.ts; not measured on a broker',
      rule: 'positive',
    },
    eventRecordBytes: {
      value: RECORDS.meanEventBytes,
      unit: 'bytes',
      kind: 'estimated',
      source:
        'mean of the 3 records holding the 5 events (libs/contracts transaction-events.ts) of a citizen lookup as JSON, with key and record framing: tools/capacity/record-sizes.ts; not measured on a broker',
      rule: 'positive',
    },
    requestRetentionDays: { value: 7, unit: 'days', kind: 'assumed', source: "Kafka's default retention (168 h) for the request/reply topics", rule: 'non-negative' },
    eventRetentionDays: {
      value: 365,
      unit: 'days',
      kind: 'assumed',
      source: 'ndxp.transactions is the source of truth the ledger is rebuilt from: a year of it (the emulator keeps it all)',
      rule: 'non-negative',
    },
    replicationFactor: { value: 3, unit: 'copies', kind: 'assumed', source: 'usual production setting (the emulator runs one broker, factor 1)', rule: 'whole' },
    brokerWriteMBps: {
      value: 50,
      unit: 'MB/s',
      kind: 'assumed',
      source: 'sustained writes one broker takes, replicas included; not measured here (one broker on a shared 2-core machine)',
      rule: 'positive',
    },
    partitionsPerConsumer: {
      value: 2,
      unit: 'partitions',
      kind: 'assumed',
      source: 'per consumer process of the busiest role, so consumers can be added without repartitioning',
      rule: 'whole',
    },
    minPartitions: {
      value: HOT_TOPIC_PARTITIONS,
      unit: 'partitions',
      kind: 'code',
      source: "the emulator's own, HOT_TOPIC_PARTITIONS in libs/contracts topics.ts",
      rule: 'whole',
    },
    minProcessesPerRole: { value: 2, unit: 'processes', kind: 'assumed', source: 'so that one process can fail or restart', rule: 'whole' },
    ledgerRowBytes: {
      value: 550,
      unit: 'bytes',
      kind: 'measured',
      source:
        'tools/capacity/ledger-row-size.sql: size ÷ rows of a copy of ndxp.transactions with its 4 indexes, 20,000 synthetic completed lookups, PostgreSQL 15 (548 and 551 in two runs); no update bloat, WAL or daily_counters',
      rule: 'positive',
    },
    ledgerRetentionMonths: { value: 12, unit: 'months', kind: 'assumed', source: 'how long the ledger keeps rows in PostgreSQL; no published retention', rule: 'positive' },
  } satisfies Record<string, InputSpec>;
}

export type InputKey = keyof ReturnType<typeof inputSpecs>;
export type Inputs = Record<InputKey, number>;
export const INPUT_KEYS = Object.keys(inputSpecs()) as InputKey[];

export function defaultInputs(cpuFrom: MeasuredRate = 1000): Inputs {
  const specs: Record<string, InputSpec> = inputSpecs(cpuFrom);
  return Object.fromEntries(INPUT_KEYS.map((k) => [k, specs[k].value])) as Inputs;
}

export class CapacityInputError extends Error {}

const RULE_TEXT: Record<Rule, string> = {
  positive: 'a number above 0',
  fraction: 'a number above 0 and at most 1',
  'non-negative': 'a number from 0',
  whole: 'a whole number from 1',
};

function obeys(n: number, rule: Rule): boolean {
  if (!Number.isFinite(n)) return false;
  if (rule === 'fraction') return n > 0 && n <= 1;
  if (rule === 'non-negative') return n >= 0;
  if (rule === 'whole') return Number.isInteger(n) && n >= 1;
  return n > 0;
}

/** `inputs` with `key` set to `raw`, or a CapacityInputError naming `flag` and saying what it takes. */
export function withInput(inputs: Inputs, key: InputKey, raw: string, flag: string): Inputs {
  const spec: InputSpec = inputSpecs()[key];
  const n = /^\s*$/.test(raw) ? NaN : Number(raw.replace(/_/g, ''));
  if (!obeys(n, spec.rule)) throw new CapacityInputError(`${flag} must be ${RULE_TEXT[spec.rule]} (${spec.unit}), got "${raw}"`);
  return { ...inputs, [key]: n };
}

export interface Output {
  key: string;
  label: string;
  unit: string;
  value: number;
  formula: string;
}

export interface CaseResult {
  id: string;
  title: string;
  dailyTransactions: number;
  dailyFrom: string;
  outputs: Output[];
}

interface CaseSpec {
  id: string;
  title: (i: Inputs) => string;
  daily: (i: Inputs) => number;
  dailyFrom: string;
}

/** The three cases of issue #12; each is sized for its busiest hour. */
export const CASES: CaseSpec[] = [
  { id: 'september-2022-peak-hour', title: () => 'September 2022, peak hour', daily: (i) => i.septemberDay, dailyFrom: 'septemberDay' },
  { id: 'average-day-2022', title: () => '2022 average day, peak hour', daily: (i) => i.averageDay, dailyFrom: 'averageDay' },
  { id: 'growth', title: (i) => `${i.growth} × 2022 average day, peak hour`, daily: (i) => i.averageDay * i.growth, dailyFrom: 'averageDay × growth' },
];

const SECONDS_PER_DAY = 86_400;
const DAYS_PER_MONTH = 365 / 12;

const out = (key: string, label: string, unit: string, value: number, formula: string): Output => ({ key, label, unit, value, formula });

function rates(daily: number, i: Inputs): Output[] {
  const average = daily / SECONDS_PER_DAY;
  return [
    out('averageTps', 'average tx/s', 'tx/s', average, 'average tx/s = tx/day ÷ 86,400'),
    out('peakTps', 'peak-hour tx/s (sized for)', 'tx/s', average * i.peakHourFactor, 'peak-hour tx/s = average tx/s × peakHourFactor'),
  ];
}

/** CPU cores a role needs at `peakTps`; Kafka's measured cost is one broker's, so it is taken once per replica (an assumption). */
export function roleCores(role: Role, peakTps: number, i: Inputs): number {
  const replicas = role === 'kafka' ? i.replicationFactor : 1;
  return (peakTps * i[`cpuMs.${role}`] * replicas) / 1000 / i.targetUtilisation;
}

function cores(peakTps: number, i: Inputs): Output[] {
  const perRole = ROLES.map((r) => {
    const replicas = r === 'kafka' ? ' × replicationFactor' : '';
    return out(`cores.${r}`, `cores: ${roleName(r)}`, 'cores', roleCores(r, peakTps, i), `cores(${r}) = peak-hour tx/s × cpuMs.${r}${replicas} ÷ 1000 ÷ targetUtilisation`);
  });
  const total = perRole.reduce((sum, o) => sum + o.value, 0);
  return [...perRole, out('cores.total', 'cores: all', 'cores', total, `cores(all) = ${ROLES.map((r) => `cores(${r})`).join(' + ')}`)];
}

function processes(peakTps: number, i: Inputs): Output[] {
  return NODE_ROLES.map((r) =>
    out(
      `processes.${r}`,
      `processes: ${roleName(r)}`,
      'processes',
      Math.max(i.minProcessesPerRole, Math.ceil(roleCores(r, peakTps, i))),
      `processes(${r}) = max(minProcessesPerRole, ⌈cores(${r})⌉): a Node.js process runs its JavaScript on one core`,
    ),
  );
}

const requestBytesPerTx = (i: Inputs) => i.requestRecordsPerTx * i.requestRecordBytes;
const eventBytesPerTx = (i: Inputs) => i.eventRecordsPerTx * i.eventRecordBytes;

function kafka(daily: number, peakTps: number, busiestConsumers: number, i: Inputs): Output[] {
  const writeMBps = (peakTps * (requestBytesPerTx(i) + eventBytesPerTx(i))) / 1e6;
  const retainedBytes = daily * (requestBytesPerTx(i) * i.requestRetentionDays + eventBytesPerTx(i) * i.eventRetentionDays) * i.replicationFactor;
  return [
    out(
      'kafka.writeMBps',
      'Kafka writes, MB/s (one copy)',
      'MB/s',
      writeMBps,
      'Kafka MB/s = peak-hour tx/s × (requestRecordsPerTx × requestRecordBytes + eventRecordsPerTx × eventRecordBytes) ÷ 10^6',
    ),
    out(
      'kafka.brokers',
      'Kafka brokers',
      'brokers',
      Math.max(i.replicationFactor, Math.ceil((writeMBps * i.replicationFactor) / i.brokerWriteMBps)),
      'brokers = max(replicationFactor, ⌈Kafka MB/s × replicationFactor ÷ brokerWriteMBps⌉)',
    ),
    out(
      'kafka.partitions',
      'partitions per busy topic',
      'partitions',
      Math.max(i.minPartitions, busiestConsumers * i.partitionsPerConsumer),
      'partitions = max(minPartitions, processes of the busiest role × partitionsPerConsumer)',
    ),
    out(
      'kafka.diskGB',
      'Kafka disk, GB (all copies)',
      'GB',
      retainedBytes / 1e9,
      'Kafka disk GB = tx/day × (requestRecordsPerTx × requestRecordBytes × requestRetentionDays + eventRecordsPerTx × eventRecordBytes × eventRetentionDays) × replicationFactor ÷ 10^9',
    ),
  ];
}

function ledger(daily: number, i: Inputs): Output[] {
  const perDayGB = (daily * i.ledgerRowBytes) / 1e9;
  return [
    out('ledger.dayGB', 'ledger per day, GB', 'GB', perDayGB, 'ledger GB/day = tx/day × ledgerRowBytes ÷ 10^9 (one row per transaction)'),
    out('ledger.monthGB', 'ledger per month, GB', 'GB', perDayGB * DAYS_PER_MONTH, 'ledger GB/month = ledger GB/day × 365 ÷ 12'),
    out('ledger.yearGB', 'ledger per year, GB', 'GB', perDayGB * 365, 'ledger GB/year = ledger GB/day × 365'),
    out('postgres.GB', 'PostgreSQL ledger size, GB', 'GB', perDayGB * DAYS_PER_MONTH * i.ledgerRetentionMonths, 'PostgreSQL GB = ledger GB/month × ledgerRetentionMonths'),
  ];
}

/** One case: the daily volume's rates, cores, processes, Kafka and ledger, each with its formula. */
export function sizeCase(c: CaseSpec, i: Inputs): CaseResult {
  const daily = c.daily(i);
  const rateOutputs = rates(daily, i);
  const peakTps = rateOutputs[1].value;
  const processOutputs = processes(peakTps, i);
  const busiestConsumers = Math.max(...processOutputs.map((o) => o.value));
  return {
    id: c.id,
    title: c.title(i),
    dailyTransactions: daily,
    dailyFrom: c.dailyFrom,
    outputs: [...rateOutputs, ...cores(peakTps, i), ...processOutputs, ...kafka(daily, peakTps, busiestConsumers, i), ...ledger(daily, i)],
  };
}

/** The three cases of issue #12 for these inputs. */
export function capacityModel(i: Inputs): CaseResult[] {
  return CASES.map((c) => sizeCase(c, i));
}

export function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
