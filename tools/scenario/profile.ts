import { Scenario } from './scenario';

/**
 * Relative traffic by hour of the day (Vietnam), mean 1 over 24 h. Shape
 * UNCONFIRMED: the published figures give daily and monthly totals only; this
 * follows government office hours (07:30-11:30, 13:30-17:00), when one-stop
 * shops and their systems do most lookups, with a lunch dip and a quiet night.
 */
const OFFICE_HOURS_RAW = [0.15, 0.1, 0.1, 0.1, 0.1, 0.15, 0.3, 1.0, 2.4, 2.8, 2.7, 2.2, 1.0, 1.4, 2.5, 2.6, 2.3, 1.4, 0.7, 0.5, 0.4, 0.3, 0.25, 0.2];
const MEAN = OFFICE_HOURS_RAW.reduce((a, b) => a + b, 0) / 24;
export const OFFICE_HOURS = OFFICE_HOURS_RAW.map((v) => v / MEAN);

/** Profile weight at a simulated second of the day, linear between hour midpoints. */
export function profileWeight(profile: Scenario['load']['profile'], simS: number): number {
  if (profile === 'flat') return 1;
  const h = ((((simS / 3600) % 24) + 24) % 24) - 0.5;
  const h0 = Math.floor(h);
  const frac = h - h0;
  const a = OFFICE_HOURS[(h0 + 24) % 24];
  const b = OFFICE_HOURS[(h0 + 1) % 24];
  return a + (b - a) * frac;
}

/** Simulated seconds at a real elapsed time (the warm-up, which ramps to the peak rate, comes before simulated time begins). */
export function simulatedAt(s: Scenario, realS: number): number {
  return s.time.startS + Math.max(0, realS - s.time.warmupS) * s.time.compression;
}

/**
 * Arrivals per real second at a real elapsed time. With a daily volume: the
 * simulated rate (volume × profile ÷ 86 400) × sample × compression. With a
 * rate: that many real requests a second on average, shaped by the profile.
 */
export function realRateAt(s: Scenario, realS: number): number {
  const w = profileWeight(s.load.profile, simulatedAt(s, realS));
  if (s.load.rate !== undefined) return s.load.rate * w;
  return (s.load.dailyVolume! / 86400) * w * s.load.sample * s.time.compression;
}

/** The highest arrival rate (real requests a second) of the measured part, read every simulated minute. */
export function peakRealRate(s: Scenario): number {
  const measuredS = realDurationS(s);
  const steps = Math.max(1, Math.ceil(s.time.durationS / 60));
  let peak = 0;
  for (let k = 0; k <= steps; k++) peak = Math.max(peak, realRateAt(s, s.time.warmupS + (k / steps) * measuredS));
  return peak;
}

/**
 * The warm-up's shape: a ramp from nothing to the scenario's peak rate, then the rate the measured part opens
 * with. A cold stack (the JIT, the broker's page cache, the consumers' fetch sizes) is warmed at the rate it will
 * have to carry, not at the start's rate (often the night's), which left `npm start` reporting its JIT warming up
 * at 08:00 as where it breaks. The settling seconds let the queue a cold stack builds on the ramp drain before
 * the first measured second: without them the first interval (midnight, 12 req/s) waited behind the ramp's last
 * requests (p99 192-452 ms in four runs of the default scenario; "where it breaks" said midnight in two). The
 * peak is read once.
 */
export function warmupShape(s: Scenario): { rampS: number; settleS: number; peak: number; openingRate: number } {
  const settleS = Math.round(Math.min(3, 0.3 * s.time.warmupS) * 10) / 10;
  return { rampS: Math.round((s.time.warmupS - settleS) * 10) / 10, settleS, peak: peakRealRate(s), openingRate: realRateAt(s, s.time.warmupS) };
}

/** The arrival rate at a real elapsed time, warm-up included (warmupShape). */
export function arrivalRate(s: Scenario): (realS: number) => number {
  const { rampS, peak, openingRate } = warmupShape(s);
  const warmupS = s.time.warmupS;
  return (realS) => (realS < rampS ? peak * Math.max(0, realS / rampS) : realS < warmupS ? openingRate : realRateAt(s, realS));
}

/** Real seconds the measured part lasts. */
export function realDurationS(s: Scenario): number {
  return s.time.durationS / s.time.compression;
}

/** Real elapsed seconds of a simulated time of day. */
export function realAtSim(s: Scenario, simS: number): number {
  return s.time.warmupS + (simS - s.time.startS) / s.time.compression;
}

export function clock(simS: number): string {
  const m = Math.floor(simS / 60) % (48 * 60);
  return `${String(Math.floor(m / 60) % 24).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/** Picks from weights with a number in [0, 1). */
export function weighted<T extends string>(weights: Array<[T, number]>, x: number): T {
  const total = weights.reduce((s, [, w]) => s + w, 0);
  let t = x * total;
  for (const [k, w] of weights) if ((t -= w) < 0) return k;
  return weights[weights.length - 1][0];
}
