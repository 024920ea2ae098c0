import { Inject, Injectable } from '@nestjs/common';
import { METRICS_REGISTRY, ndxpMetrics, serviceLabel } from '@ndxp/metrics';
import { SERVICES, serviceKeyOf } from '@ndxp/contracts';
import { Registry } from 'prom-client';

const DATABASE_OF = new Map(SERVICES.map((s) => [serviceKeyOf(s), s.database]));

/** NDXP's metrics. The transaction counter moves with the projection, so it agrees with the ledger. */
@Injectable()
export class NdxpMetricsService {
  readonly m: ReturnType<typeof ndxpMetrics>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.m = ndxpMetrics(registry);
  }

  finished(rows: Array<{ client: string; service: string; outcome: string; lgsp: string; durationMs: number | null }>): void {
    for (const r of rows) {
      const service = serviceLabel(r.service);
      this.m.transactions.inc({ lgsp: r.lgsp || 'unknown', service, database: DATABASE_OF.get(r.service) ?? 'unknown', outcome: r.outcome });
      if (r.durationMs !== null) this.m.duration.observe({ service, outcome: r.outcome }, r.durationMs / 1000);
    }
  }
}
