import { Pool } from 'pg';
import { DEFAULT_ADMIN_TOKEN } from '@ndxp/platform';
import { DEFAULT_CLIENT_SUBSYSTEM, DEFAULT_SEED_SECRET, PROVIDERS, SERVICES, seedApiKey, serviceKeyOf, XROAD_INSTANCE } from '@ndxp/contracts';
import { fetchJson, Stack } from '@ndxp/infra';
import { Completion, isConnectionError, latencySummary, LoadRequest, LoadResult, openLoad, percentile } from '../load/open-load';
import { ProcessMeter } from './procstats';
import { arrivalRate, clock, realAtSim, realDurationS, simulatedAt, warmupShape, weighted } from './profile';
import { BrokerKill, IntervalBucket, intervalPoints, IntervalSample, measureKills, ScenarioReport } from './report';
import { connectionErrorsOf, ledgerCheck } from '../load/ledger-check';
import { FaultStep, Scenario } from './scenario';

export interface RunOptions {
  stack: Stack;
  file: string;
  log: (line: string) => void;
  /** Called every second with live figures (progress bar). */
  onSecond?: (s: { elapsedS: number; totalS: number; sim: string; rate: number; p99: number; errors: number }) => void;
  stopped?: () => boolean;
  env?: NodeJS.ProcessEnv;
}

export interface Fixtures {
  people: string[];
  firms: string[];
  insured: string[];
  /** agency code → gateway port that hosts it */
  hostOf: Map<string, number>;
  clients: Array<[string, number]>;
}

export async function scenarioFixtures(s: Scenario, stack: Stack): Promise<Fixtures> {
  const pool = new Pool({ connectionString: stack.infra.databaseUrl, max: 1 });
  const q = async (sql: string) => (await pool.query(sql)).rows.map((r) => Object.values(r)[0] as string);
  const [people, firms, insured] = [
    await q('SELECT personal_id FROM national.citizens ORDER BY personal_id LIMIT 5000'),
    await q('SELECT code FROM national.enterprises ORDER BY code LIMIT 2000'),
    await q('SELECT insurance_number FROM national.insurance_participants ORDER BY insurance_number LIMIT 2000'),
  ];
  await pool.end();
  const hostOf = new Map<string, number>();
  for (const p of stack.apps.filter((a) => a.app === 'lgsp')) {
    const r = await fetchJson(`http://127.0.0.1:${p.port}/lgsps`);
    for (const item of r.body.items as Array<{ code: string }>) hostOf.set(item.code, p.port);
  }
  let codes = [...hostOf.keys()].sort();
  if (s.topology.lgsps !== 'all') codes = codes.slice(0, s.topology.lgsps);
  const dflt = s.load.clientWeights.default ?? 1;
  const clients = codes.map((c): [string, number] => [c, s.load.clientWeights[c] ?? dflt]).filter(([, w]) => w > 0);
  if (clients.length === 0) throw new Error('no LGSP has a client weight above 0');
  return { people, firms, insured, hostOf, clients };
}

/** Deterministic pseudo-random in [0,1) from an integer, so a rerun sends the same mix. */
function unit(i: number, salt: number): number {
  let x = (i * 2654435761 + salt * 40503) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 2246822507) >>> 0;
  x ^= x >>> 13;
  return (x >>> 0) / 4294967296;
}

export function scenarioRequest(s: Scenario, f: Fixtures, i: number, env: NodeJS.ProcessEnv): LoadRequest {
  const agency = weighted(f.clients, unit(i, 1));
  const client = `${XROAD_INSTANCE}/GOV/${agency}/${DEFAULT_CLIENT_SUBSYSTEM}`;
  const service = weighted(Object.entries(s.load.serviceMix) as Array<[string, number]>, unit(i, 2));
  const svc = SERVICES.find((x) => x.serviceCode === service)!;
  const headers = { 'x-road-client': client, 'x-api-key': seedApiKey(env.REGISTRY_SEED_SECRET ?? DEFAULT_SEED_SECRET, client), 'content-type': 'application/json' };
  const port = f.hostOf.get(agency)!;
  const path = `/r1/${serviceKeyOf(svc)}`;
  switch (service) {
    case 'citizen-lookup':
      return { port, method: 'GET', path: `${path}/${f.people[i % f.people.length]}`, headers };
    case 'citizen-verify':
      return { port, method: 'POST', path, headers, body: JSON.stringify({ personalId: f.people[i % f.people.length], fullName: 'Nguyễn Văn An' }) };
    case 'enterprise-lookup':
      return { port, method: 'GET', path: `${path}/${f.firms[i % f.firms.length]}`, headers };
    default:
      return { port, method: 'GET', path: `${path}/${f.insured[i % f.insured.length]}`, headers };
  }
}

/** Reads kafka_consumer_lag_messages from every app's /metrics and adds it up. */
async function consumerLag(stack: Stack): Promise<number> {
  let total = 0;
  for (const a of stack.apps) {
    try {
      const res = await fetch(`http://127.0.0.1:${a.port}/metrics`, { signal: AbortSignal.timeout(2000) });
      for (const line of (await res.text()).split('\n')) if (line.startsWith('kafka_consumer_lag_messages{')) total += Number(line.split(' ').pop());
    } catch {
      /* a process being restarted */
    }
  }
  return total;
}

async function admin(url: string, method: string, body?: unknown): Promise<void> {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${process.env.ADMIN_TOKEN ?? DEFAULT_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${url}: HTTP ${res.status} ${await res.text()}`);
}

type At = (simS: number, what: () => Promise<void>) => void;
type RecordFault = (kind: string, detail: string, simS: number) => ScenarioReport['faults'][number];

/** broker-kill (kill -9 of one broker, started again after `for` if given) and broker-restart (one broker, or all). */
function brokerFault(f: FaultStep, stack: Stack, at: At, record: RecordFault, kills: BrokerKill[]): void {
  const infra = stack.infra;
  const local = () => {
    if (!infra.killBroker || !infra.restartBroker || !infra.startBroker || !infra.restartKafka) throw new Error(`${f.kind} needs the local broker(s) (KAFKA_BROKERS is set)`);
    if (f.broker !== undefined && f.broker > infra.kafkaNodes)
      throw new Error(`${f.kind} of broker ${f.broker}, but ${infra.kafkaNodes} local broker(s) run (KAFKA_CLUSTER_SIZE or --brokers set fewer than topology.brokers?)`);
    return { kill: infra.killBroker, start: infra.startBroker, restart: infra.restartBroker, restartAll: infra.restartKafka };
  };
  if (f.kind === 'broker-restart')
    return at(f.atS, async () => {
      const b = local();
      record('broker-restart', f.broker ? `Kafka broker ${f.broker} stopped and started again` : 'the Kafka broker(s) stopped and started again', f.atS);
      await (f.broker ? b.restart(f.broker) : b.restartAll());
    });
  at(f.atS, async () => {
    const b = local();
    const down = f.forS ? `, started again ${f.forS / 60} simulated min later` : ', left down';
    kills.push({ atMs: Date.now(), entry: record('broker-kill', `Kafka broker ${f.broker} killed (SIGKILL)${down}`, f.atS) });
    await b.kill(f.broker!);
  });
  if (f.forS)
    at(f.atS + f.forS, async () => {
      record('broker-start', `Kafka broker ${f.broker} started again on its data`, f.atS + f.forS!);
      await local().start(f.broker!);
    });
}

/** Runs a scenario's timeline of faults against the stack; returns what it did (exported for its test). */
export function scheduleFaults(
  s: Scenario,
  stack: Stack,
  log: (l: string) => void,
  startedAt: number,
): { done: Promise<void>; applied: ScenarioReport['faults']; kills: BrokerKill[]; cancel: () => void } {
  const providers = `http://127.0.0.1:${stack.apps.find((a) => a.app === 'providers')!.port}`;
  const applied: ScenarioReport['faults'] = [];
  const kills: BrokerKill[] = [];
  const timers: NodeJS.Timeout[] = [];
  const jobs: Promise<void>[] = [];
  const at = (simS: number, what: () => Promise<void>) =>
    jobs.push(
      new Promise<void>((resolve) => {
        const delay = startedAt + realAtSim(s, simS) * 1000 - Date.now();
        timers.push(
          setTimeout(
            () =>
              void what()
                .catch((e) => log(`fault step failed: ${(e as Error).message}`))
                .finally(resolve),
            Math.max(0, delay),
          ),
        );
      }),
    );
  for (const f of s.faults) {
    const record = (kind: string, detail: string, simS: number) => {
      const entry = { at: clock(simS), kind, detail };
      applied.push(entry);
      log(`fault at ${clock(simS)} (simulated): ${kind} ${detail}`);
      return entry;
    };
    if (f.kind === 'outage' || f.kind === 'latency' || f.kind === 'errors') {
      const body =
        f.kind === 'outage'
          ? { outage: true }
          : f.kind === 'latency'
            ? { latencyMs: f.latencyMs, jitterMs: f.jitterMs }
            : { errorProbability: f.probability, errorKind: f.errorKind };
      at(f.atS, async () => {
        await admin(`${providers}/admin/faults/${f.database}`, 'PUT', body);
        record(f.kind, `${f.database} ${JSON.stringify(body)} for ${f.forS! / 60} simulated min`, f.atS);
      });
      at(f.atS + f.forS!, async () => {
        await admin(`${providers}/admin/faults/${f.database}`, 'DELETE');
        record('cleared', `${f.database}`, f.atS + f.forS!);
      });
    } else if (f.kind === 'lgsp-restart') {
      at(f.atS, async () => {
        record('lgsp-restart', `lgsp-${f.process} killed (SIGKILL) and restarted`, f.atS);
        await stack.restart(`lgsp-${f.process}`);
      });
    } else if (f.kind === 'app-kill') {
      at(f.atS, async () => {
        const instance = `${f.app}-${f.process}`;
        const victim = stack.apps.find((a) => a.instance === instance);
        if (!victim?.child.pid) throw new Error(`no process ${instance} in the stack (${stack.apps.map((a) => a.instance).join(', ')})`);
        record('app-kill', `${instance} killed (SIGKILL); the launcher's supervisor restarts it`, f.atS);
        process.kill(victim.child.pid, 'SIGKILL');
      });
    } else if (f.kind === 'broker-restart' || f.kind === 'broker-kill') {
      brokerFault(f, stack, at, record, kills);
    }
  }
  return { done: Promise.all(jobs).then(() => undefined), applied, kills, cancel: () => timers.forEach(clearTimeout) };
}

/** Waits (at most 60 s) for the projection to catch up, then counts the window's rows; `behind` is what it still lacked. */
async function ledgerRows(stack: Stack, fromMs: number, toMs: number): Promise<{ rows: number; behind: number }> {
  const deadline = Date.now() + 60_000;
  let behind = -1;
  for (;;) {
    // The hub may be busy reconnecting (after a broker restart): keep asking until the deadline.
    const ndxp = stack.apps.find((a) => a.app === 'ndxp')!;
    const st = await fetchJson(`http://127.0.0.1:${ndxp.port}/projection/status`, 5000).catch(() => undefined);
    if (typeof st?.body?.total === 'number') behind = st.body.total;
    if (behind === 0 || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const pool = new Pool({ connectionString: stack.infra.databaseUrl, max: 1 });
  const { rows } = await pool.query('SELECT count(*)::int AS n FROM ndxp.transactions WHERE request_in_at >= $1 AND request_in_at < $2', [
    new Date(fromMs).toISOString(),
    new Date(toMs).toISOString(),
  ]);
  await pool.end();
  return { rows: rows[0].n, behind: Math.max(0, behind) };
}

/** The warm-up as the report tells it. */
function warmupFigures(s: Scenario, r: LoadResult): ScenarioReport['warmup'] {
  const { sent, completed, dropped, errors, dueUs } = r.warmup;
  const { p50, p99 } = latencySummary(dueUs);
  const { rampS, settleS, peak, openingRate } = warmupShape(s);
  return { seconds: s.time.warmupS, peakRate: peak, rampS, settleS, openingRate, sent, completed, dropped, serverErrors: errors, p50, p99 };
}

/** Runs a scenario against a running stack and builds its report. */
export async function runScenario(s: Scenario, o: RunOptions): Promise<ScenarioReport> {
  const env = o.env ?? process.env;
  const f = await scenarioFixtures(s, o.stack);
  const totalS = realDurationS(s);
  const interval = Math.max(1, totalS / 60);
  const buckets = new Map<number, IntervalBucket>();
  const samples = new Map<number, IntervalSample>();
  const meter = new ProcessMeter();
  const processes = () => [
    ...(o.stack.infra.kafkaPids?.() ?? []).map((pid, i, all) => ({ name: all.length > 1 ? `kafka-${i + 1}` : 'kafka', pid })),
    ...o.stack.apps.map((a) => ({ name: a.instance, pid: a.child.pid })),
    { name: 'load generator', pid: process.pid },
  ];
  meter.sample(processes());
  const startedAt = Date.now();
  const windowStart = startedAt - 1000;
  const faults = scheduleFaults(s, o.stack, o.log, startedAt);
  // When answers came (real ms), for how long a broker kill held them up.
  const okAt: number[] = [];
  const errorAt: number[] = [];
  const watchKills = s.faults.some((f) => f.kind === 'broker-kill');
  let lastSecond = { rate: 0, p99: 0, errors: 0 };
  const intervals = Math.ceil(totalS / interval);
  // As each interval ends: the consumers' lag and the processes' CPU, which only a sample then can tell. Its
  // arrivals' latency and errors are summarised at the end (intervalPoints), once their answers are all in. Samples
  // are chained, never concurrent: consumerLag can take seconds.
  const sample = async () => {
    const elapsed = (Date.now() - startedAt) / 1000;
    const idx = Math.floor((elapsed - s.time.warmupS) / interval) - 1;
    // Past the last interval (answers still draining) there is nothing to sample: the end takes one last sample.
    if (elapsed < s.time.warmupS || idx < 0 || idx >= intervals || samples.has(idx)) return;
    samples.set(idx, { consumerLag: await consumerLag(o.stack), processes: meter.sample(processes()) });
  };
  // The CPU meter restarts as the warm-up ends: the first interval's CPU is its own, not the ramp's before it.
  const warmupEnds = setTimeout(() => meter.sample(processes()), s.time.warmupS * 1000);
  let sampling = Promise.resolve();
  const sampler = setInterval(() => {
    sampling = sampling.then(sample).catch((e) => o.log(`interval sample failed: ${(e as Error).message}`));
  }, interval * 1000);
  const result = await openLoad({
    rateAt: arrivalRate(s),
    durationS: totalS,
    warmupS: s.time.warmupS,
    next: (i) => scenarioRequest(s, f, i, env),
    stopped: o.stopped,
    onComplete: (c: Completion) => {
      if (watchKills) (c.serverError || c.dropped || isConnectionError(c.outcome) ? errorAt : okAt).push(Date.now());
      if (c.warmup) return;
      const idx = Math.floor((c.arrivedS - s.time.warmupS) / interval);
      const b = buckets.get(idx) ?? { offered: 0, done: 0, lat: [], errors: {}, dropped: 0 };
      buckets.set(idx, b);
      b.offered++;
      if (c.dropped) b.dropped++;
      else {
        b.done++;
        b.lat.push(c.dueLatencyMs); // as the SLO verdict: from when the request was due
        if (c.serverError || c.outcome.startsWith('Client.')) b.errors[c.outcome] = (b.errors[c.outcome] ?? 0) + 1;
      }
    },
    onSecond: (x) => {
      lastSecond = { rate: x.rate, p99: x.p99, errors: x.errors };
      const elapsedS = (Date.now() - startedAt) / 1000;
      o.onSecond?.({ elapsedS, totalS: totalS + s.time.warmupS, sim: clock(simulatedAt(s, elapsedS)), ...lastSecond });
    },
  });
  clearInterval(sampler);
  clearTimeout(warmupEnds);
  await sampling;
  faults.cancel();
  const endedAt = Date.now();
  measureKills(faults.kills, okAt, errorAt, endedAt);
  // Intervals the sampler had not reached yet share one last sample.
  const late = { consumerLag: await consumerLag(o.stack), processes: meter.sample(processes()) };
  const at = (idx: number) => ({ sim: clock(simulatedAt(s, s.time.warmupS + idx * interval)), realS: s.time.warmupS + idx * interval });
  const points = intervalPoints(buckets, samples, late, interval, at);
  // Faults still in force at the end are cleared, so the stack is left as found.
  for (const db of Object.keys(PROVIDERS))
    await admin(`http://127.0.0.1:${o.stack.apps.find((a) => a.app === 'providers')!.port}/admin/faults/${db}`, 'DELETE').catch(() => undefined);

  const { rows, behind } = await ledgerRows(o.stack, windowStart, endedAt + 1000);
  const serverErrors = result.errors;
  const errorRatio = result.offered ? (serverErrors + result.dropped) / result.offered : 0;
  // From when each request was due (coordinated omission corrected): what a user arriving then waited.
  const latency = latencySummary(result.intendedUs);
  const p99 = latency.p99;
  const p99Ok = !(p99 > s.slo.p99Ms);
  const errorRatioOk = errorRatio <= s.slo.errorRatio;
  const broken = points.find(
    (p) =>
      p.p99 > s.slo.p99Ms ||
      (p.offeredRate > 0 &&
        (Object.entries(p.errorsByType)
          .filter(([k]) => k.startsWith('Server.') || isConnectionError(k))
          .reduce((n, [, v]) => n + v, 0) +
          p.dropped) /
          (p.offeredRate * interval) >
          s.slo.errorRatio),
  );
  // Every request that reached a gateway is one ledger row, the warm-up's too; a refused connection never did, and
  // one whose connection was reset under it may have (a gateway killed after reading it): between the two.
  const { failed: connectionErrors, reset: resets } = connectionErrorsOf(result.byOutcome, result.warmup.byOutcome);
  const expected = result.sentTotal - connectionErrors;
  return {
    scenario: s.name,
    file: o.file,
    mode: 'scenario',
    startedAt: new Date(startedAt).toISOString(),
    realDurationS: (endedAt - startedAt) / 1000,
    compression: s.time.compression,
    totals: { offered: result.offered, sent: result.sent, completed: result.completed, dropped: result.dropped, serverErrors, byOutcome: result.byOutcome },
    latencyMs: { p50: latency.p50, p95: latency.p95, p99 },
    warmup: warmupFigures(s, result),
    latencySentMs: { p50: percentile(result.latenciesMs, 50), p95: percentile(result.latenciesMs, 95), p99: percentile(result.latenciesMs, 99) },
    slo: { p99Ms: s.slo.p99Ms, errorRatio: s.slo.errorRatio, met: p99Ok && errorRatioOk, p99Ok, errorRatioOk, errorRatio_: errorRatio },
    ledger: ledgerCheck(rows, expected, resets, behind),
    breaksAt: broken
      ? `simulated ${broken.sim}, at ${broken.offeredRate.toFixed(0)} requests/s offered: p99 ${Number.isFinite(broken.p99) ? `${broken.p99.toFixed(0)} ms` : 'n/a (nothing answered)'}, ${
          Object.entries(broken.errorsByType)
            .map(([k, v]) => `${v} ${k}`)
            .join(', ') || 'no errors'
        }${broken.dropped ? `, ${broken.dropped} dropped` : ''}`
      : undefined,
    faults: faults.applied,
    series: points,
  };
}
