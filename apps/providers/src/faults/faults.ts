import { Fault, fault, FaultTypes } from '@ndxp/contracts';

export type ErrorKind = 'error' | 'unavailable' | 'timeout';

export interface FaultSettings {
  latencyMs: number;
  jitterMs: number;
  errorProbability: number;
  errorKind: ErrorKind;
  outage: boolean;
}

export const NO_FAULTS: FaultSettings = { latencyMs: 0, jitterMs: 0, errorProbability: 0, errorKind: 'error', outage: false };

/**
 * What happens to one request: answered (after a delay), answered with the database's own error (`error`: an
 * HTTP 500 from the service, which X-Road passes through), failed at the platform (`fail`: the database cannot be
 * reached), or never answered (a timeout).
 */
export type FaultDecision =
  { kind: 'answer'; delayMs: number } | { kind: 'error'; delayMs: number; status: number; message: string } | { kind: 'fail'; delayMs: number; fault: Fault } | { kind: 'drop' };

/**
 * Run-time fault settings per database and, optionally, per service (a
 * service's own settings replace its database's). Pure: the random source is
 * passed in, so tests can pin it.
 */
export class FaultBook {
  private readonly byDatabase = new Map<string, FaultSettings>();
  private readonly byService = new Map<string, FaultSettings>();

  set(database: string, settings: FaultSettings, service?: string): void {
    if (service) this.byService.set(`${database}/${service}`, settings);
    else this.byDatabase.set(database, settings);
  }

  clear(database?: string, service?: string): void {
    if (!database) {
      this.byDatabase.clear();
      this.byService.clear();
    } else if (service) this.byService.delete(`${database}/${service}`);
    else {
      this.byDatabase.delete(database);
      for (const k of [...this.byService.keys()]) if (k.startsWith(`${database}/`)) this.byService.delete(k);
    }
  }

  settings(database: string, service: string): FaultSettings {
    return this.byService.get(`${database}/${service}`) ?? this.byDatabase.get(database) ?? NO_FAULTS;
  }

  list(): Array<{ database: string; service?: string } & FaultSettings> {
    return [
      ...[...this.byDatabase].map(([database, s]) => ({ database, ...s })),
      ...[...this.byService].map(([k, s]) => {
        const [database, service] = k.split('/');
        return { database, service, ...s };
      }),
    ];
  }

  /** Active faults (for the providers' metrics): outage, error, latency. */
  active(): Array<{ database: string; service: string; kind: string }> {
    return this.list().flatMap((f) => [
      ...(f.outage ? [{ database: f.database, service: f.service ?? '*', kind: 'outage' }] : []),
      ...(f.errorProbability > 0 ? [{ database: f.database, service: f.service ?? '*', kind: `error-${f.errorKind}` }] : []),
      ...(f.latencyMs > 0 || f.jitterMs > 0 ? [{ database: f.database, service: f.service ?? '*', kind: 'latency' }] : []),
    ]);
  }

  decide(database: string, service: string, random: () => number = Math.random): FaultDecision {
    const s = this.settings(database, service);
    if (s.outage) return { kind: 'fail', delayMs: 0, fault: fault(FaultTypes.networkError, `the ${database} database cannot be reached (outage injected)`) };
    const delayMs = Math.max(0, s.latencyMs + (s.jitterMs ? (random() * 2 - 1) * s.jitterMs : 0));
    if (s.errorProbability > 0 && random() < s.errorProbability) {
      if (s.errorKind === 'timeout') return { kind: 'drop' };
      if (s.errorKind === 'unavailable') return { kind: 'fail', delayMs, fault: fault(FaultTypes.networkError, `the ${database} database cannot be reached (injected error)`) };
      return { kind: 'error', delayMs, status: 500, message: `the ${database} database failed to answer ${service} (injected error)` };
    }
    return { kind: 'answer', delayMs };
  }
}
