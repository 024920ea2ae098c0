import http from 'http';

export interface LoadRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface LoadResult {
  offered: number;
  sent: number;
  completed: number;
  dropped: number;
  errors: number;
  /** Per status class or X-Road fault type. */
  byOutcome: Record<string, number>;
  latenciesMs: number[];
  durationS: number;
  throughput: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * Open-model load: requests arrive at a fixed rate whatever the answers do
 * (a closed loop would slow down with the system and hide its queueing).
 * An arrival that finds `maxInFlight` requests outstanding is dropped and
 * counted. Arrivals in the warm-up are sent but not counted.
 */
export async function openLoad(o: {
  port: number;
  rate: number;
  durationS: number;
  warmupS: number;
  maxInFlight?: number;
  next: (i: number) => LoadRequest;
  onSecond?: (s: { second: number; rate: number; p99: number; errors: number; inFlight: number }) => void;
}): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const maxInFlight = o.maxInFlight ?? 5000;
  const total = Math.round(o.rate * (o.durationS + o.warmupS));
  const warmupCount = Math.round(o.rate * o.warmupS);
  const latencies: number[] = [];
  const byOutcome: Record<string, number> = {};
  let inFlight = 0;
  let sent = 0;
  let completed = 0;
  let dropped = 0;
  let errors = 0;
  let secondLat: number[] = [];
  let secondErrors = 0;
  let secondDone = 0;
  const started = process.hrtime.bigint();
  const nowMs = () => Number(process.hrtime.bigint() - started) / 1e6;
  let measureStart = 0;
  let lastCompletionMs = 0;

  const fire = (i: number): Promise<void> =>
    new Promise((resolve) => {
      const counted = i >= warmupCount;
      if (inFlight >= maxInFlight) {
        if (counted) dropped++;
        return resolve();
      }
      inFlight++;
      if (counted) sent++;
      const r = o.next(i);
      const t0 = nowMs();
      const req = http.request({ host: '127.0.0.1', port: o.port, method: r.method, path: r.path, headers: r.headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          inFlight--;
          const ms = nowMs() - t0;
          const fault = res.headers['x-road-error'];
          const outcome = typeof fault === 'string' ? fault : `HTTP ${res.statusCode}`;
          const isError = typeof fault === 'string' && fault.startsWith('Server.');
          secondDone++;
          secondLat.push(ms);
          if (isError) secondErrors++;
          if (counted) {
            completed++;
            latencies.push(ms);
            byOutcome[outcome] = (byOutcome[outcome] ?? 0) + 1;
            if (isError) errors++;
            lastCompletionMs = nowMs();
          }
          resolve();
        });
      });
      req.on('error', () => {
        inFlight--;
        if (counted) {
          errors++;
          completed++;
          byOutcome['connection error'] = (byOutcome['connection error'] ?? 0) + 1;
        }
        resolve();
      });
      if (r.body) req.write(r.body);
      req.end();
    });

  const pending: Promise<void>[] = [];
  const intervalMs = 1000 / o.rate;
  let i = 0;
  let second = 0;
  const ticker = setInterval(() => {
    second++;
    const sorted = secondLat.sort((a, b) => a - b);
    o.onSecond?.({ second, rate: secondDone, p99: percentile(sorted, 99), errors: secondErrors, inFlight });
    secondLat = [];
    secondErrors = 0;
    secondDone = 0;
  }, 1000);
  // Schedule by the clock, not by counting timer callbacks: timers drift under load.
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(nowMs() / intervalMs) + 1);
      while (i < due) {
        if (i === warmupCount) measureStart = nowMs();
        pending.push(fire(i++));
      }
      if (i >= total) return resolve();
      setTimeout(tick, 1);
    };
    tick();
  });
  await Promise.all(pending);
  clearInterval(ticker);
  agent.destroy();
  const durationS = Math.max(0.001, (Math.max(lastCompletionMs, measureStart) - measureStart) / 1000);
  latencies.sort((a, b) => a - b);
  return {
    offered: total - warmupCount,
    sent,
    completed,
    dropped,
    errors,
    byOutcome,
    latenciesMs: latencies,
    durationS,
    throughput: completed / durationS,
  };
}
