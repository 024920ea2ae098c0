import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { RegistryViewService } from '@ndxp/platform';
import { METRICS_REGISTRY, ndxpMetrics, serviceLabel } from '@ndxp/metrics';
import { SERVICES, serviceKeyOf } from '@ndxp/contracts';
import { Registry } from 'prom-client';
import { ORIGIN_REFUSALS } from '../routing/origin';

const DATABASE_OF = new Map(SERVICES.map((s) => [serviceKeyOf(s), s.database]));

/** NDXP's metrics. The transaction counter moves with the projection, so it agrees with the ledger. */
@Injectable()
export class NdxpMetricsService implements OnApplicationBootstrap {
  readonly m: ReturnType<typeof ndxpMetrics>;

  constructor(
    @Inject(METRICS_REGISTRY) registry: Registry,
    private readonly registryView: RegistryViewService,
  ) {
    this.m = ndxpMetrics(registry);
    for (const database of new Set(SERVICES.map((s) => s.database))) {
      this.m.timeouts.inc({ database }, 0);
      this.m.lateResponses.inc({ database }, 0);
    }
    for (const reason of ['unknown-client', 'unknown-member', 'unknown-service', 'not-granted', ...ORIGIN_REFUSALS]) this.m.rejections.inc({ reason }, 0);
    for (const reason of ['malformed', 'unstorable', 'failed']) this.m.projectionSkipped.inc({ reason }, 0);
  }

  /**
   * Every LGSP × service × outcome starts at 0: a counter series that first
   * appears at 1 hides that first transaction from rate() and increase(),
   * which would undercount the daily figures.
   */
  onApplicationBootstrap(): void {
    void this.registryView.ready.then(() => {
      const lgsps = [...this.registryView.state.agencies].filter(([, a]) => a.hasLgsp).map(([code]) => code);
      for (const lgsp of lgsps)
        for (const s of SERVICES)
          for (const outcome of ['success', 'rejected', 'failed', 'timeout']) this.m.transactions.inc({ lgsp, service: s.serviceCode, database: s.database, outcome }, 0);
    });
  }

  finished(rows: Array<{ client: string; service: string; outcome: string; lgsp: string; durationMs: number | null }>): void {
    const state = this.registryView.state;
    for (const r of rows) {
      // Labels from the registry's values only: an LGSP agency, a registered service; `unknown` for anything else.
      const service = serviceLabel(r.service, state.services);
      const lgsp = state.agencies.get(r.lgsp)?.hasLgsp ? r.lgsp : 'unknown';
      this.m.transactions.inc({ lgsp, service, database: DATABASE_OF.get(r.service) ?? 'unknown', outcome: r.outcome });
      if (r.durationMs !== null) this.m.duration.observe({ service, outcome: r.outcome }, r.durationMs / 1000);
    }
  }
}
