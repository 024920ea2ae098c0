import { OFFICE_HOURS } from '../scenario/profile';
import { CapacityInputError, capacityModel, CaseResult, defaultInputs, INPUT_KEYS, inputSpecs, Inputs, MEASURED_CPU_MS, roleCores, withInput } from './model';

/** Round numbers, so every expected output can be worked out by hand. */
const known: Inputs = {
  ...defaultInputs(),
  averageDay: 8_640_000, // 100 tx/s on average
  septemberDay: 4_320_000, // 50 tx/s
  growth: 10,
  peakHourFactor: 3,
  targetUtilisation: 0.5,
  'cpuMs.gateway': 1,
  'cpuMs.hub': 0.5,
  'cpuMs.databases': 0.25,
  'cpuMs.kafka': 0.2,
  'cpuMs.postgres': 0.1,
  requestRecordsPerTx: 4,
  eventRecordsPerTx: 5,
  requestRecordBytes: 500,
  eventRecordBytes: 400,
  requestRetentionDays: 7,
  eventRetentionDays: 30,
  replicationFactor: 3,
  brokerWriteMBps: 10,
  partitionsPerConsumer: 2,
  minPartitions: 6,
  minProcessesPerRole: 2,
  ledgerRowBytes: 500,
  ledgerRetentionMonths: 12,
};

const value = (c: CaseResult, key: string): number => {
  const o = c.outputs.find((x) => x.key === key);
  if (!o) throw new Error(`no output ${key}`);
  return o.value;
};

describe('the capacity model', () => {
  describe('given round inputs', () => {
    const [september, average, growth] = capacityModel(known);

    it('then the three cases are September 2022, the 2022 average day and growth × that, each sized for its busiest hour', () => {
      expect([september.id, average.id, growth.id]).toEqual(['september-2022-peak-hour', 'average-day-2022', 'growth']);
      expect(growth.title).toBe('10 × 2022 average day, peak hour');
      expect([september.dailyTransactions, average.dailyTransactions, growth.dailyTransactions]).toEqual([4_320_000, 8_640_000, 86_400_000]);
    });

    it('then the average rate is the day over 86,400 s and the peak-hour rate that times the peak-hour factor', () => {
      expect(value(average, 'averageTps')).toBe(100);
      expect(value(average, 'peakTps')).toBe(300);
      expect(value(growth, 'peakTps')).toBe(3000);
    });

    it('then cores = peak tx/s × CPU ms/tx ÷ 1000 ÷ target utilisation, Kafka once per replica', () => {
      expect(value(average, 'cores.gateway')).toBeCloseTo((300 * 1) / 1000 / 0.5); // 0.6
      expect(value(average, 'cores.hub')).toBeCloseTo(0.3);
      expect(value(average, 'cores.databases')).toBeCloseTo(0.15);
      expect(value(average, 'cores.kafka')).toBeCloseTo((300 * 0.2 * 3) / 1000 / 0.5); // 0.36
      expect(value(average, 'cores.postgres')).toBeCloseTo(0.06);
      expect(value(average, 'cores.total')).toBeCloseTo(0.6 + 0.3 + 0.15 + 0.36 + 0.06);
      expect(value(growth, 'cores.gateway')).toBeCloseTo(6);
    });

    it('then each Node.js role gets a process per core it needs, at least the minimum', () => {
      expect(value(average, 'processes.gateway')).toBe(2);
      expect(value(growth, 'processes.gateway')).toBe(6);
      expect(value(growth, 'processes.hub')).toBe(3);
      expect(value(growth, 'processes.databases')).toBe(2);
    });

    it('then Kafka: writes from records × bytes, brokers from writes × replicas over one broker, partitions from the busiest role', () => {
      expect(value(average, 'kafka.writeMBps')).toBeCloseTo((300 * (4 * 500 + 5 * 400)) / 1e6); // 1.2
      expect(value(average, 'kafka.brokers')).toBe(3); // ⌈1.2 × 3 ÷ 10⌉ = 1, but never below the replication factor
      expect(value(growth, 'kafka.writeMBps')).toBeCloseTo(12);
      expect(value(growth, 'kafka.brokers')).toBe(4); // ⌈12 × 3 ÷ 10⌉
      expect(value(average, 'kafka.partitions')).toBe(6);
      expect(value(growth, 'kafka.partitions')).toBe(12); // 6 gateway processes × 2
    });

    it('then Kafka disk keeps each kind of record for its own retention, on every replica', () => {
      const bytes = 8_640_000 * (4 * 500 * 7 + 5 * 400 * 30) * 3;
      expect(value(average, 'kafka.diskGB')).toBeCloseTo(bytes / 1e9);
    });

    it('then the ledger grows a row per transaction, and PostgreSQL holds the retained months', () => {
      expect(value(average, 'ledger.dayGB')).toBeCloseTo(4.32);
      expect(value(average, 'ledger.monthGB')).toBeCloseTo((4.32 * 365) / 12);
      expect(value(average, 'ledger.yearGB')).toBeCloseTo(4.32 * 365);
      expect(value(average, 'postgres.GB')).toBeCloseTo(4.32 * 365);
    });

    it('then every output carries its formula in the inputs’ own names', () => {
      for (const o of average.outputs) expect(o.formula).toMatch(/=/);
      expect(average.outputs.find((o) => o.key === 'cores.gateway')!.formula).toBe('cores(gateway) = peak-hour tx/s × cpuMs.gateway ÷ 1000 ÷ targetUtilisation');
    });
  });

  describe('given the defaults', () => {
    it('then the volumes are the published ones and the CPU costs those measured at 1,000/s', () => {
      const d = defaultInputs();
      expect(d.averageDay).toBe(2_360_000);
      expect(d.septemberDay).toBe(Math.round(58_397_139 / 26));
      expect(d['cpuMs.gateway']).toBe(MEASURED_CPU_MS[1000].gateway);
      expect(d['cpuMs.postgres']).toBe(MEASURED_CPU_MS[1000].postgres);
    });

    it('then the peak-hour factor is the scenarios’ office-hours busiest hour, and says it is an assumption', () => {
      expect(defaultInputs().peakHourFactor).toBeCloseTo(Math.max(...OFFICE_HOURS), 2);
      expect(inputSpecs().peakHourFactor.kind).toBe('assumed');
    });

    it('then every input says where it comes from', () => {
      const specs: Record<string, { kind: string; source: string }> = inputSpecs();
      for (const k of INPUT_KEYS) {
        expect(['published', 'measured', 'code', 'estimated', 'assumed']).toContain(specs[k].kind);
        expect(specs[k].source.length).toBeGreaterThan(10);
      }
    });

    it('when the CPU costs are taken from the 300/s run, then they are that row', () => {
      expect(defaultInputs(300)['cpuMs.hub']).toBe(MEASURED_CPU_MS[300].hub);
      expect(inputSpecs(300)['cpuMs.hub'].source).toMatch(/300\/s/);
    });
  });

  describe('given an input changed', () => {
    it('then the outputs follow it', () => {
      const doubled = withInput(known, 'cpuMs.gateway', '2', '--cpu-ms gateway');
      expect(roleCores('gateway', 300, doubled)).toBeCloseTo(2 * roleCores('gateway', 300, known));
    });

    it('then underscores in numbers are taken as digit separators', () => {
      expect(withInput(known, 'averageDay', '5_000_000', '--daily').averageDay).toBe(5_000_000);
    });

    it.each([
      ['averageDay', 'abc', '--daily', /--daily must be a number above 0 \(tx\/day\), got "abc"/],
      ['averageDay', '-1', '--daily', /--daily must be a number above 0/],
      ['averageDay', '', '--daily', /--daily must be a number above 0/],
      ['targetUtilisation', '1.5', '--utilisation', /--utilisation must be a number above 0 and at most 1/],
      ['replicationFactor', '2.5', '--replication', /--replication must be a whole number from 1/],
      ['eventRetentionDays', '-3', '--set eventRetentionDays', /--set eventRetentionDays must be a number from 0/],
      ['peakHourFactor', 'Infinity', '--peak-factor', /--peak-factor must be a number above 0/],
    ] as const)('when %s is "%s", then an error naming %s', (key, raw, flag, message) => {
      expect(() => withInput(known, key, raw, flag)).toThrow(CapacityInputError);
      expect(() => withInput(known, key, raw, flag)).toThrow(message);
    });

    it('then zero retention is allowed (records not kept)', () => {
      expect(withInput(known, 'requestRetentionDays', '0', '--set requestRetentionDays').requestRetentionDays).toBe(0);
    });
  });
});
