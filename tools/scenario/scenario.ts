import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { isMap, isScalar, isSeq, LineCounter, Node, parseDocument, YAMLMap } from 'yaml';
import { SERVICES } from '@ndxp/contracts';
import { MAX_LOCAL_BROKERS } from '@ndxp/infra/infra-plan';

/**
 * A capacity scenario, as written in YAML (see scenarios/*.yaml). Simulated
 * time runs `compression` times faster than real time; rates and volumes
 * are simulated-time figures, scaled by `load.sample`.
 */
export interface FaultStep {
  /** Simulated time of day, "HH:MM", from the scenario's start. */
  at: string;
  atS: number;
  kind: 'outage' | 'latency' | 'errors' | 'lgsp-restart' | 'app-kill' | 'broker-restart' | 'broker-kill';
  /** broker-kill, broker-restart: which local broker (1-based, its node id); a broker-restart without one restarts them all. */
  broker?: number;
  /** app-kill: which app's process is killed (the launcher's supervisor restarts it). */
  app?: 'registry' | 'providers' | 'ndxp' | 'lgsp';
  database?: 'population' | 'enterprise' | 'insurance';
  /** Simulated duration, e.g. "1h", "30m"; for a broker-kill, how long the broker stays down (unset: until a broker-restart). */
  forS?: number;
  latencyMs?: number;
  jitterMs?: number;
  probability?: number;
  errorKind?: 'error' | 'unavailable' | 'timeout';
  process?: number;
}

export interface Scenario {
  name: string;
  description: string;
  /** brokers: local Kafka brokers (KAFKA_CLUSTER_SIZE); 3 gives replication factor 3 with min.insync.replicas 2. */
  topology: { lgsps: 'all' | number; lgspProcesses: number; ndxpProcesses: number; brokers: number };
  load: {
    /** Transactions per simulated day (compressed, then sampled), or an average rate of real requests a second. */
    dailyVolume?: number;
    rate?: number;
    profile: 'office-hours' | 'flat';
    /** Fraction of the national volume actually sent (a laptop cannot carry a whole country). */
    sample: number;
    serviceMix: Record<string, number>;
    /** Weight per LGSP agency code; `default` for the others. */
    clientWeights: Record<string, number>;
  };
  time: { start: string; startS: number; durationS: number; compression: number; warmupS: number; deadlineMs: number };
  faults: FaultStep[];
  slo: { p99Ms: number; errorRatio: number };
}

export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file}:${line}: ${message}`);
    this.name = 'ScenarioError';
  }
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/;
export function parseDuration(v: string): number | undefined {
  const m = DURATION.exec(String(v).trim());
  if (!m) return undefined;
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

export function parseClock(v: string): number | undefined {
  const m = /^(\d{1,2}):(\d{2})$/.exec(String(v).trim());
  if (!m || Number(m[1]) > 47 || Number(m[2]) > 59) return undefined;
  return Number(m[1]) * 3600 + Number(m[2]) * 60;
}

const SERVICE_CODES = SERVICES.map((s) => s.serviceCode);

/** Parses and validates a scenario; every error names the file and line. */
export function parseScenario(text: string, file: string): Scenario {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  const lineOf = (n: Node | null | undefined) => (n?.range ? lc.linePos(n.range[0]).line : 1);
  if (doc.errors.length) throw new ScenarioError(file, lc.linePos(doc.errors[0].pos[0]).line, `not valid YAML: ${doc.errors[0].message.split('\n')[0]}`);
  const root = doc.contents;
  if (!isMap(root)) throw new ScenarioError(file, 1, 'a scenario is a mapping with name, topology, load, time, faults and slo');
  const fail = (n: Node | null | undefined, msg: string): never => {
    throw new ScenarioError(file, lineOf(n), msg);
  };
  const known = (m: YAMLMap, path: string, keys: string[]) => {
    for (const item of m.items) {
      const k = isScalar(item.key) ? String(item.key.value) : '';
      if (!keys.includes(k)) fail(item.key as Node, `${path}${k}: unknown setting (expected one of ${keys.join(', ')})`);
    }
  };
  const section = (m: YAMLMap, key: string): YAMLMap | undefined => {
    const n = m.get(key, true) as Node | undefined;
    if (n === undefined) return undefined;
    if (!isMap(n)) fail(n, `${key} must be a mapping`);
    return n as YAMLMap;
  };
  const num = (m: YAMLMap | undefined, path: string, key: string, dflt: number | undefined, min: number, max: number): number | undefined => {
    const n = m?.get(key, true) as Node | undefined;
    if (n === undefined) return dflt;
    const v = isScalar(n) ? Number(n.value) : NaN;
    if (!Number.isFinite(v) || v < min || v > max) fail(n, `${path}${key} must be a number from ${min} to ${max} (got ${isScalar(n) ? JSON.stringify(n.value) : 'a structure'})`);
    return v;
  };
  const str = <T extends string>(m: YAMLMap | undefined, path: string, key: string, dflt: T, allowed?: readonly T[]): T => {
    const n = m?.get(key, true) as Node | undefined;
    if (n === undefined) return dflt;
    const v = isScalar(n) ? String(n.value) : '';
    if (allowed && !allowed.includes(v as T)) fail(n, `${path}${key} must be one of ${allowed.join(', ')} (got ${JSON.stringify(v)})`);
    return v as T;
  };
  const dur = (m: YAMLMap | undefined, path: string, key: string, dflt: number | undefined): number | undefined => {
    const n = m?.get(key, true) as Node | undefined;
    if (n === undefined) return dflt;
    const v = isScalar(n) ? parseDuration(String(n.value)) : undefined;
    if (v === undefined || v <= 0) fail(n, `${path}${key} must be a duration such as 90s, 30m, 2h or 1d (got ${isScalar(n) ? JSON.stringify(n.value) : 'a structure'})`);
    return v;
  };

  known(root, '', ['name', 'description', 'topology', 'load', 'time', 'faults', 'slo']);
  const name = str(root, '', 'name', '');
  if (!name) fail(root, 'name is required');

  const topo = section(root, 'topology');
  if (topo) known(topo, 'topology.', ['lgsps', 'lgspProcesses', 'ndxpProcesses', 'brokers']);
  const brokers = num(topo, 'topology.', 'brokers', 1, 1, MAX_LOCAL_BROKERS)!;
  if (!Number.isInteger(brokers)) fail(topo?.get('brokers', true) as Node, `topology.brokers must be a whole number of local Kafka brokers (got ${brokers})`);
  const lgspsNode = topo?.get('lgsps', true) as Node | undefined;
  let lgsps: 'all' | number = 'all';
  if (lgspsNode !== undefined) {
    const v = isScalar(lgspsNode) ? lgspsNode.value : undefined;
    if (v === 'all') lgsps = 'all';
    else if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 85) lgsps = v;
    else fail(lgspsNode, `topology.lgsps must be "all" or a number of LGSPs from 1 to 85 (got ${JSON.stringify(v)})`);
  }

  const load = section(root, 'load');
  if (!load) fail(root, 'load is required (dailyVolume or rate)');
  known(load!, 'load.', ['dailyVolume', 'rate', 'profile', 'sample', 'serviceMix', 'clientWeights']);
  const dailyVolume = num(load, 'load.', 'dailyVolume', undefined, 1, 1e10);
  const rate = num(load, 'load.', 'rate', undefined, 0.001, 1e6);
  if ((dailyVolume === undefined) === (rate === undefined)) fail(load, 'load needs exactly one of dailyVolume (transactions per simulated day) or rate (real requests a second)');
  const weights = (key: string, allowed?: string[]): Record<string, number> => {
    const n = load!.get(key, true) as Node | undefined;
    if (n === undefined) return {};
    if (!isMap(n)) fail(n, `load.${key} must be a mapping of name: weight`);
    const out: Record<string, number> = {};
    for (const item of (n as YAMLMap).items) {
      const k = isScalar(item.key) ? String(item.key.value) : '';
      if (allowed && !allowed.includes(k)) fail(item.key as Node, `load.${key}.${k}: unknown (expected ${allowed.join(', ')})`);
      const v = isScalar(item.value) ? Number(item.value.value) : NaN;
      if (!Number.isFinite(v) || v < 0) fail(item.value as Node, `load.${key}.${k} must be a weight of 0 or more`);
      out[k] = v;
    }
    if (Object.values(out).every((v) => v === 0)) fail(n, `load.${key}: at least one weight must be above 0`);
    return out;
  };

  const time = section(root, 'time');
  if (time) known(time, 'time.', ['start', 'duration', 'compression', 'warmup', 'deadline']);
  const startNode = time?.get('start', true) as Node | undefined;
  const start = startNode === undefined ? '00:00' : String(isScalar(startNode) ? startNode.value : '');
  const startS = parseClock(start);
  if (startS === undefined) fail(startNode, `time.start must be a time of day HH:MM (got ${JSON.stringify(start)})`);

  /** Which broker a broker fault hits: one of topology.brokers; a kill names it, and may say how long it stays down. */
  const brokerFault = (f: YAMLMap, step: FaultStep, brokers: number) => {
    const node = f.get('broker', true) as Node | undefined;
    if (node === undefined && step.kind === 'broker-kill') fail(f, `faults[].broker is required for broker-kill: which of the ${brokers} broker(s), from 1`);
    if (node !== undefined) {
      step.broker = num(f, 'faults[].', 'broker', 1, 1, brokers);
      if (!Number.isInteger(step.broker)) fail(node, `faults[].broker must be a whole broker number from 1 to ${brokers} (topology.brokers)`);
    }
    if (step.kind === 'broker-kill') step.forS = dur(f, 'faults[].', 'for', undefined);
  };
  const faultsNode = root.get('faults', true) as Node | undefined;
  const faults: FaultStep[] = [];
  if (faultsNode !== undefined) {
    if (!isSeq(faultsNode)) fail(faultsNode, 'faults must be a list');
    for (const item of (faultsNode as unknown as { items: Node[] }).items) {
      if (!isMap(item)) fail(item, 'each fault is a mapping with at and kind');
      const f = item as YAMLMap;
      known(f, 'faults[].', ['at', 'kind', 'database', 'for', 'latencyMs', 'jitterMs', 'probability', 'errorKind', 'process', 'app', 'broker']);
      const atNode = f.get('at', true) as Node | undefined;
      const at = atNode && isScalar(atNode) ? String(atNode.value) : '';
      const atS = parseClock(at);
      if (atS === undefined) fail(atNode ?? f, `faults[].at must be a simulated time of day HH:MM (got ${JSON.stringify(at)})`);
      const kind = str(f, 'faults[].', 'kind', 'outage', ['outage', 'latency', 'errors', 'lgsp-restart', 'app-kill', 'broker-restart', 'broker-kill'] as const);
      const step: FaultStep = { at, atS: atS!, kind };
      if (kind === 'outage' || kind === 'latency' || kind === 'errors') {
        const dbNode = f.get('database', true) as Node | undefined;
        if (dbNode === undefined) fail(f, `faults[].database is required for ${kind}`);
        step.database = str(f, 'faults[].', 'database', 'population', ['population', 'enterprise', 'insurance'] as const);
        step.forS = dur(f, 'faults[].', 'for', undefined);
        if (step.forS === undefined) fail(f, `faults[].for is required for ${kind} (e.g. for: 1h)`);
      }
      if (kind === 'latency') {
        step.latencyMs = num(f, 'faults[].', 'latencyMs', undefined, 1, 120000);
        if (step.latencyMs === undefined) fail(f, 'faults[].latencyMs is required for latency');
        step.jitterMs = num(f, 'faults[].', 'jitterMs', 0, 0, 60000);
      }
      if (kind === 'errors') {
        step.probability = num(f, 'faults[].', 'probability', undefined, 0, 1);
        if (step.probability === undefined) fail(f, 'faults[].probability is required for errors');
        step.errorKind = str(f, 'faults[].', 'errorKind', 'error', ['error', 'unavailable', 'timeout'] as const);
      }
      if (kind === 'lgsp-restart' || kind === 'app-kill') step.process = num(f, 'faults[].', 'process', 1, 1, 16);
      if (kind === 'app-kill') {
        if (f.get('app', true) === undefined) fail(f, 'faults[].app is required for app-kill (registry, providers, ndxp or lgsp)');
        step.app = str(f, 'faults[].', 'app', 'ndxp', ['registry', 'providers', 'ndxp', 'lgsp'] as const);
      }
      if (kind === 'broker-kill' || kind === 'broker-restart') brokerFault(f, step, brokers);
      faults.push(step);
    }
  }

  const slo = section(root, 'slo');
  if (slo) known(slo, 'slo.', ['p99Ms', 'errorRatio']);
  const durationS = dur(time, 'time.', 'duration', 86400)!;
  const scenario: Scenario = {
    name,
    description: str(root, '', 'description', ''),
    topology: {
      lgsps,
      lgspProcesses: num(topo, 'topology.', 'lgspProcesses', 1, 1, 16)!,
      ndxpProcesses: num(topo, 'topology.', 'ndxpProcesses', 1, 1, 16)!,
      brokers,
    },
    load: {
      dailyVolume,
      rate,
      profile: str(load, 'load.', 'profile', 'office-hours', ['office-hours', 'flat'] as const),
      sample: num(load, 'load.', 'sample', 1, 0.000001, 1)!,
      serviceMix: weights('serviceMix', SERVICE_CODES),
      clientWeights: weights('clientWeights'),
    },
    time: {
      start,
      startS: startS!,
      durationS,
      compression: num(time, 'time.', 'compression', 1, 1, 100000)!,
      warmupS: dur(time, 'time.', 'warmup', 0) ?? 0,
      deadlineMs: num(time, 'time.', 'deadline', 5000, 100, 120000)!,
    },
    faults,
    slo: { p99Ms: num(slo, 'slo.', 'p99Ms', 250, 1, 600000)!, errorRatio: num(slo, 'slo.', 'errorRatio', 0.01, 0, 1)! },
  };
  if (Object.keys(scenario.load.serviceMix).length === 0)
    scenario.load.serviceMix = { 'citizen-lookup': 0.5, 'citizen-verify': 0.1, 'enterprise-lookup': 0.2, 'health-insurance-card': 0.2 };
  for (const f of faults)
    if (f.atS < scenario.time.startS || f.atS >= scenario.time.startS + durationS)
      throw new ScenarioError(file, 1, `fault at ${f.at} falls outside the scenario (${start} for ${durationS / 3600} h)`);
  return scenario;
}

export const SCENARIO_DIR = (root: string) => join(root, 'scenarios');

/** A preset name (scenarios/<name>.yaml) or a path. */
export function loadScenario(nameOrPath: string, root: string): { scenario: Scenario; file: string } {
  const candidates = [nameOrPath, join(SCENARIO_DIR(root), nameOrPath), join(SCENARIO_DIR(root), `${nameOrPath}.yaml`)];
  const file = candidates.find((c) => existsSync(c) && c.match(/\.ya?ml$/));
  if (!file) throw new ScenarioError(nameOrPath, 0, `no such scenario: give a file or one of the presets in scenarios/`);
  return { scenario: parseScenario(readFileSync(file, 'utf8'), file), file };
}
