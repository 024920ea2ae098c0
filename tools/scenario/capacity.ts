import { latencyHistogram, latencySummary, openLoad } from '../load/open-load';
import { ScenarioReport } from './report';
import { RunOptions, scenarioFixtures, scenarioRequest } from './runner';
import { Scenario } from './scenario';

/**
 * find-capacity: steps the offered rate up (×1.5 a step, flat mix of the
 * scenario's services and clients) and reports the highest rate whose step
 * met the SLO: the knee. Stops at the first step that misses it.
 */
export async function findCapacity(s: Scenario, o: RunOptions & { startRate: number; stepSeconds: number; maxSteps: number }): Promise<ScenarioReport> {
  const f = await scenarioFixtures(s, o.stack);
  const steps: NonNullable<ScenarioReport['capacity']>['steps'] = [];
  const startedAt = Date.now();
  let rate = o.startRate;
  let i = 0;
  let knee = 0;
  // Latency from when each request was due (coordinated omission corrected), over every step.
  const all = latencyHistogram();
  const totals = { offered: 0, sent: 0, completed: 0, dropped: 0, serverErrors: 0, byOutcome: {} as Record<string, number> };
  for (let step = 0; step < o.maxSteps && !o.stopped?.(); step++) {
    o.log(`find-capacity: step ${step + 1}, ${rate.toFixed(0)} requests/s for ${o.stepSeconds} s`);
    const r = await openLoad({
      rateAt: () => rate,
      durationS: o.stepSeconds,
      warmupS: 2,
      next: () => scenarioRequest(s, f, i++, o.env ?? process.env),
      stopped: o.stopped,
      onSecond: (x) =>
        o.onSecond?.({ elapsedS: (Date.now() - startedAt) / 1000, totalS: o.maxSteps * (o.stepSeconds + 2), sim: `step ${step + 1}`, rate: x.rate, p99: x.p99, errors: x.errors }),
    });
    const p99 = latencySummary(r.intendedUs).p99;
    const errorRatio = r.offered ? (r.errors + r.dropped) / r.offered : 0;
    const ok = p99 <= s.slo.p99Ms && errorRatio <= s.slo.errorRatio && r.throughput >= 0.95 * rate;
    steps.push({ rate, achieved: r.throughput, p99, errorRatio, ok });
    all.add(r.intendedUs);
    totals.offered += r.offered;
    totals.sent += r.sent;
    totals.completed += r.completed;
    totals.dropped += r.dropped;
    totals.serverErrors += r.errors;
    for (const [k, v] of Object.entries(r.byOutcome)) totals.byOutcome[k] = (totals.byOutcome[k] ?? 0) + v;
    if (!ok) break;
    knee = rate;
    rate *= 1.5;
  }
  const latency = latencySummary(all);
  const last = steps[steps.length - 1];
  return {
    scenario: s.name,
    file: o.file,
    mode: 'find-capacity',
    startedAt: new Date(startedAt).toISOString(),
    realDurationS: (Date.now() - startedAt) / 1000,
    compression: s.time.compression,
    totals,
    latencyMs: { p50: latency.p50, p95: latency.p95, p99: latency.p99 },
    slo: {
      p99Ms: s.slo.p99Ms,
      errorRatio: s.slo.errorRatio,
      met: knee > 0,
      p99Ok: knee > 0,
      errorRatioOk: knee > 0,
      errorRatio_: totals.offered ? (totals.serverErrors + totals.dropped) / totals.offered : 0,
    },
    ledger: { rows: -1, expected: -1, match: true },
    breaksAt:
      last && !last.ok
        ? `${last.rate.toFixed(0)} requests/s: p99 ${last.p99.toFixed(0)} ms, error ratio ${(last.errorRatio * 100).toFixed(2)} %, achieved ${last.achieved.toFixed(0)}/s`
        : undefined,
    capacity: { kneeRate: knee, steps },
    faults: [],
    series: steps.map((st, k) => ({
      sim: `${st.rate.toFixed(0)}/s`,
      realS: k,
      offeredRate: st.rate,
      achievedRate: st.achieved,
      p50: NaN,
      p95: NaN,
      p99: st.p99,
      errorsByType: {},
      dropped: 0,
      consumerLag: 0,
      processes: {},
    })),
  };
}
