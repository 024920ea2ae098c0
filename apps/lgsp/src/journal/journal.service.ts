import { Inject, Injectable } from '@nestjs/common';
import { Registry } from 'prom-client';
import { clientKey, serviceKey } from '@ndxp/contracts';
import { journalMetrics, METRICS_REGISTRY } from '@ndxp/metrics';
import { RegistryViewService } from '@ndxp/platform';
import { LgspConfig } from '../lgsp.config';
import { apiKeyOf, DistinctHeaders, lastHeader, parseCall } from '../gateway/xroad-protocol';
import { certificateAuthentication, TlsPeer } from '../gateway/tls-auth';
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
    private readonly registry: RegistryViewService,
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

  /** Records one exchange; never throws (the answer has gone out already). */
  record(c: Capture, headers: DistinctHeaders, tls: TlsPeer | undefined): void {
    if (!this.enabled) return;
    this.journal.add(entryOf(c, this.parties(c, headers, tls), this.config.JOURNAL_BODIES));
  }

  find(filter: JournalFilter): JournalEntry[] {
    return this.journal.find(filter);
  }

  /**
   * The client, service and X-Road-Id as the gateway reads them, and the owner: the subsystem whose
   * credential checks out (whatever X-Road-Client it claimed), so a client reads only what it sent itself.
   */
  private parties(c: Capture, headers: DistinctHeaders, tls: TlsPeer | undefined): CaptureParties {
    const parsed = parseCall(c.method, c.url, headers);
    const cert = certificateAuthentication(this.registry.state, tls, undefined, false);
    const key = apiKeyOf(headers);
    const cred = cert ?? (key === undefined ? undefined : this.registry.checkApiKey(key));
    const owner = cred?.ok ? cred.client : undefined;
    const call = parsed.ok ? parsed.call : undefined;
    const client = call?.client ? clientKey(call.client) : parsed.ok ? (owner ?? '') : parsed.clientText;
    const service = call ? serviceKey(call.service) : parsed.ok ? '' : parsed.serviceText;
    const xRoadId = c.responseHeaders['x-road-id'] ?? lastHeader(headers, 'x-road-id');
    return { client, service, ...(xRoadId !== undefined ? { xRoadId } : {}), ...(owner !== undefined ? { owner } : {}) };
  }
}
