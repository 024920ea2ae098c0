import { Inject, Injectable } from '@nestjs/common';
import { Registry } from 'prom-client';
import { journalMetrics, METRICS_REGISTRY } from '@ndxp/metrics';
import { LgspConfig } from '../lgsp.config';
import { DistinctHeaders, lastHeader } from '../gateway/xroad-protocol';
import { Capture, CaptureParties, entryOf } from './capture';
import { JournalEntry, JournalFilter, RequestJournal } from './journal';

/**
 * This gateway process's request journal: every exchange GatewayHttp answered, bounded, masked at capture
 * (JOURNAL_BODIES). In memory only: a restart empties it, and each gateway process has its own.
 */
@Injectable()
export class JournalService {
  readonly journal: RequestJournal;

  constructor(
    private readonly config: LgspConfig,
    @Inject(METRICS_REGISTRY) metricsRegistry: Registry,
  ) {
    const metrics = journalMetrics(metricsRegistry);
    this.journal = new RequestJournal(config.JOURNAL_MAX_ENTRIES, config.JOURNAL_MAX_MB * 1024 * 1024, (n) => metrics.dropped.inc(n));
  }

  get enabled(): boolean {
    return this.config.JOURNAL_MAX_ENTRIES > 0;
  }

  get bodies() {
    return this.config.JOURNAL_BODIES;
  }

  /** Records one exchange, with who it was with as the gateway read them; never throws (the answer has gone out already). */
  record(c: Capture, headers: DistinctHeaders, who: { client: string; service: string; lgsp?: string; owner?: string }): void {
    if (!this.enabled) return;
    const xRoadId = c.responseHeaders['x-road-id'] ?? lastHeader(headers, 'x-road-id');
    const parties: CaptureParties = { ...who, ...(xRoadId !== undefined ? { xRoadId } : {}) };
    this.journal.add(entryOf(c, parties, this.config.JOURNAL_BODIES));
  }

  find(filter: JournalFilter): JournalEntry[] {
    return this.journal.find(filter);
  }
}
