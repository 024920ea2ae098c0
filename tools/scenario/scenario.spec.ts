import { repoRoot } from '@ndxp/infra/paths';
import { loadScenario, parseScenario, ScenarioError } from './scenario';
import { arrivalRate, OFFICE_HOURS, peakRealRate, profileWeight, realDurationS, realRateAt, warmupShape, weighted } from './profile';

const valid = `name: test day
topology: { lgsps: all, lgspProcesses: 2 }
load:
  dailyVolume: 2360000
  sample: 0.01
  profile: office-hours
time:
  start: "00:00"
  duration: 1d
  compression: 720
faults:
  - { at: "09:00", kind: outage, database: population, for: 1h }
slo: { p99Ms: 250, errorRatio: 0.02 }
`;

describe('scenario files', () => {
  it('parses a valid scenario with its defaults', () => {
    const s = parseScenario(valid, 'x.yaml');
    expect(s.topology).toEqual({ lgsps: 'all', lgspProcesses: 2, ndxpProcesses: 1, brokers: 1 });
    expect(s.faults).toEqual([{ at: '09:00', atS: 32400, kind: 'outage', database: 'population', forS: 3600 }]);
    expect(realDurationS(s)).toBe(120);
    expect(s.load.serviceMix['citizen-lookup']).toBeGreaterThan(0);
  });

  it('reads an app-kill fault: which process of which app', () => {
    const s = parseScenario('name: a\nload: { rate: 5 }\nfaults:\n  - { at: "01:00", kind: app-kill, app: ndxp, process: 2 }\n', 'x.yaml');
    expect(s.faults[0]).toMatchObject({ kind: 'app-kill', app: 'ndxp', process: 2, atS: 3600 });
  });

  it('reads a three-broker topology with a broker kill (down for a while) and a restart of one broker', () => {
    const text =
      'name: a\ntopology: { brokers: 3 }\nload: { rate: 5 }\nfaults:\n  - { at: "01:00", kind: broker-kill, broker: 2, for: 10m }\n  - { at: "02:00", kind: broker-restart, broker: 3 }\n  - { at: "03:00", kind: broker-restart }\n';
    const s = parseScenario(text, 'x.yaml');
    expect(s.topology.brokers).toBe(3);
    expect(s.faults).toEqual([
      { at: '01:00', atS: 3600, kind: 'broker-kill', broker: 2, forS: 600 },
      { at: '02:00', atS: 7200, kind: 'broker-restart', broker: 3 },
      { at: '03:00', atS: 10800, kind: 'broker-restart' },
    ]);
  });

  it('reads the example of a broker killed in a three-broker cluster (scenarios/cluster/broker-kill.yaml)', () => {
    const { scenario } = loadScenario('cluster/broker-kill', repoRoot());
    expect(scenario.topology.brokers).toBe(3);
    expect(scenario.faults).toEqual([{ at: '00:03', atS: 180, kind: 'broker-kill', broker: 1, forS: 180 }]);
  });

  it.each([
    ['name: a\ntopology: { brokers: 0 }\nload: { rate: 5 }\n', 'x.yaml:2: topology.brokers must be a number from 1 to 9 (got 0)'],
    ['name: a\ntopology: { brokers: 2.5 }\nload: { rate: 5 }\n', 'x.yaml:2: topology.brokers must be a whole number of local Kafka brokers (got 2.5)'],
    ['name: a\nload: { rate: 5 }\nfaults:\n  - { at: "01:00", kind: broker-kill }\n', 'x.yaml:4: faults[].broker is required for broker-kill: which of the 1 broker(s), from 1'],
    [
      'name: a\ntopology: { brokers: 3 }\nload: { rate: 5 }\nfaults:\n  - { at: "01:00", kind: broker-kill, broker: 4 }\n',
      'x.yaml:5: faults[].broker must be a number from 1 to 3 (got 4)',
    ],
    ['name: a\nload: { rate: 5 }\nfaults:\n  - { at: "01:00", kind: broker-restart, broker: 2 }\n', 'x.yaml:4: faults[].broker must be a number from 1 to 1 (got 2)'],
  ])('refuses a broker setting the topology cannot honour, naming its line: %j', (text, message) => {
    expect(() => parseScenario(text, 'x.yaml')).toThrow(message);
  });

  it.each([
    ['name: a\nload:\n  dailyVolume: lots\n', 'x.yaml:3: load.dailyVolume must be a number'],
    ['load: { rate: 1 }\n', 'x.yaml:1: name is required'],
    ['name: a\nload: { rate: 5 }\ntime:\n  duration: forever\n', 'x.yaml:4: time.duration must be a duration'],
    ['name: a\nload: { rate: 5 }\nfaults:\n  - at: "25:99"\n    kind: outage\n', 'x.yaml:4: faults[].at must be a simulated time'],
    ['name: a\nload: { rate: 5 }\nfaults:\n  - { at: "01:00", kind: outage, for: 1h }\n', 'x.yaml:4: faults[].database is required for outage'],
    ['name: a\nload: { rate: 5 }\nslo: { p99: 5 }\n', 'x.yaml:3: slo.p99: unknown setting'],
    ['name: a\nload: { rate: 5, dailyVolume: 10 }\n', 'x.yaml:2: load needs exactly one of dailyVolume'],
    ['name: a\nload: { rate: 5, serviceMix: { teleport: 1 } }\n', 'x.yaml:2: load.serviceMix.teleport: unknown'],
    ['name: a\nload: { rate: 5\n', 'not valid YAML'],
    ['name: a\nload: { rate: 5 }\nfaults:\n  - { at: "01:00", kind: app-kill }\n', 'x.yaml:4: faults[].app is required for app-kill'],
  ])('names the line of a mistake: %j', (text, message) => {
    expect(() => parseScenario(text, 'x.yaml')).toThrow(ScenarioError);
    expect(() => parseScenario(text, 'x.yaml')).toThrow(message);
  });
});

describe('load model', () => {
  it('has an office-hours profile with mean 1, heavier at 09:00 than at 03:00', () => {
    expect(OFFICE_HOURS.reduce((a, b) => a + b, 0) / 24).toBeCloseTo(1, 6);
    expect(profileWeight('office-hours', 9.5 * 3600)).toBeGreaterThan(5 * profileWeight('office-hours', 3.5 * 3600));
  });

  it('turns a daily volume into real arrivals: volume × profile × sample × compression', () => {
    const s = parseScenario(valid, 'x.yaml');
    // Over the whole compressed day, the arrivals add up to volume × sample.
    let total = 0;
    for (let t = 0; t < 120; t += 0.01) total += realRateAt(s, t) * 0.01;
    expect(total).toBeGreaterThan(23600 * 0.98);
    expect(total).toBeLessThan(23600 * 1.02);
  });

  it('warms up on a ramp to the peak rate, settles at the opening rate, then follows the profile from the start', () => {
    // Given a compressed day that starts at midnight (its quietest hours) with a 10 s warm-up
    const s = parseScenario(valid.replace('compression: 720', 'compression: 720\n  warmup: 10s'), 'x.yaml');
    const rate = arrivalRate(s);
    const peak = peakRealRate(s);
    // Then the peak is the office-hours maximum, far above midnight's rate
    expect(peak).toBeCloseTo((2360000 / 86400) * Math.max(...OFFICE_HOURS) * 0.01 * 720, 0);
    expect(peak).toBeGreaterThan(5 * realRateAt(s, 10));
    // And the warm-up ramps from nothing to that peak over its first 7 s
    expect(rate(0)).toBe(0);
    expect(rate(3.5)).toBeCloseTo(peak / 2, 6);
    expect(rate(6.999)).toBeCloseTo(peak, 0);
    // Then its last 3 s run at midnight's rate, so the ramp's queue is drained before the first measured second
    expect(rate(7)).toBe(realRateAt(s, 10));
    expect(rate(9.999)).toBe(realRateAt(s, 10));
    expect(warmupShape(s)).toEqual({ rampS: 7, settleS: 3, peak, openingRate: realRateAt(s, 10) });
    // And the measured part starts at midnight's rate
    expect(rate(10)).toBe(realRateAt(s, 10));
    expect(rate(70)).toBe(realRateAt(s, 70));
  });

  it('has no warm-up arrivals when the scenario asks for none', () => {
    const s = parseScenario(valid, 'x.yaml');
    expect(arrivalRate(s)(0)).toBe(realRateAt(s, 0));
  });

  it('picks by weight', () => {
    const w: Array<['a' | 'b', number]> = [
      ['a', 3],
      ['b', 1],
    ];
    expect(weighted(w, 0.7)).toBe('a');
    expect(weighted(w, 0.8)).toBe('b');
  });
});
