import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The platform's metric definitions, one factory per component, each bound
 * to that app's own registry. Conventions: names are prefixed with the
 * component, durations are in seconds, counters end in _total, and labels
 * never hold per-request ids (transaction ids, personal IDs, X-Road-Ids).
 */

/** Around the 250 ms p99 SLO, finer below it. */
export const LATENCY_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 1, 2.5, 5, 10];

export function ndxpMetrics(registers: Registry) {
  const r = [registers];
  return {
    transactions: new Counter({
      name: 'ndxp_transactions_total',
      help: 'Finished transactions, from the transaction events (agrees with the ledger): by client LGSP agency, service, national database and outcome',
      labelNames: ['lgsp', 'service', 'database', 'outcome'] as const,
      registers: r,
    }),
    duration: new Histogram({
      name: 'ndxp_transaction_duration_seconds',
      help: 'End-to-end duration of finished transactions, LGSP in to answer, by service and outcome',
      labelNames: ['service', 'outcome'] as const,
      buckets: LATENCY_BUCKETS_SECONDS,
      registers: r,
    }),
    inFlight: new Gauge({ name: 'ndxp_hub_in_flight_requests', help: 'Requests routed to a national database and not yet answered', registers: r }),
    timeouts: new Counter({
      name: 'ndxp_hub_timeouts_total',
      help: 'Requests that reached their deadline at the hub, by database',
      labelNames: ['database'] as const,
      registers: r,
    }),
    rejections: new Counter({
      name: 'ndxp_hub_rejections_total',
      help: 'Requests the hub refused, by reason (unknown-client, unknown-member, unknown-service, not-granted; unsigned, bad-signature, not-an-lgsp, wrong-lgsp)',
      labelNames: ['reason'] as const,
      registers: r,
    }),
    lateResponses: new Counter({
      name: 'ndxp_hub_late_responses_total',
      help: 'Answers that arrived after the deadline (recorded, not delivered)',
      labelNames: ['database'] as const,
      registers: r,
    }),
    projectionSkipped: new Counter({
      name: 'ndxp_projection_skipped_events_total',
      help: 'Transaction events the ledger skipped, each dead-lettered: malformed, unstorable (refused for its own data) or failed (after retries)',
      labelNames: ['reason'] as const,
      registers: r,
    }),
  };
}

export function lgspMetrics(registers: Registry) {
  const r = [registers];
  return {
    requests: new Counter({
      name: 'lgsp_http_requests_total',
      help: 'HTTP requests to the gateway by LGSP agency, service and status code',
      labelNames: ['lgsp', 'service', 'status'] as const,
      registers: r,
    }),
    duration: new Histogram({
      name: 'lgsp_request_duration_seconds',
      help: 'Gateway latency: request in to response out, by service',
      labelNames: ['service'] as const,
      buckets: LATENCY_BUCKETS_SECONDS,
      registers: r,
    }),
    idempotentReplays: new Counter({ name: 'lgsp_idempotent_replays_total', help: 'Retries answered with the stored answer of their Idempotency-Key', registers: r }),
  };
}

/** The gateway's request journal (apps/lgsp/src/journal): its own function, as GatewayHttp owns lgspMetrics' counters. */
export function journalMetrics(registers: Registry) {
  return {
    dropped: new Counter({
      name: 'lgsp_journal_dropped_total',
      help: 'Request journal entries dropped to keep its bounds (JOURNAL_MAX_ENTRIES, JOURNAL_MAX_MB), oldest first',
      registers: [registers],
    }),
  };
}

export function providerMetrics(registers: Registry, activeFaults: () => Array<{ database: string; service: string; kind: string }>) {
  const r = [registers];
  return {
    queries: new Counter({
      name: 'providers_queries_total',
      help: 'Requests a national database answered, by database, service and result (ok, not_found, bad_request, fault, dropped)',
      labelNames: ['database', 'service', 'result'] as const,
      registers: r,
    }),
    refused: new Counter({
      name: 'providers_refused_requests_total',
      help: 'Requests a national database refused unread because the hub did not sign them, by database and reason (unsigned, bad-signature)',
      labelNames: ['database', 'reason'] as const,
      registers: r,
    }),
    duration: new Histogram({
      name: 'providers_query_duration_seconds',
      help: 'Time to answer one batch of requests from PostgreSQL, by database',
      labelNames: ['database'] as const,
      buckets: LATENCY_BUCKETS_SECONDS,
      registers: r,
    }),
    faultsActive: new Gauge({
      name: 'providers_faults_active',
      help: 'Injected faults in force (1 each): by database, service (* = all) and kind (outage, latency, error-*)',
      labelNames: ['database', 'service', 'kind'] as const,
      registers: r,
      collect() {
        this.reset();
        for (const f of activeFaults()) this.set(f, 1);
      },
    }),
  };
}

/** `lagOf` is read when Prometheus scrapes: one entry per tracked group and topic (omitted when the broker cannot say). */
export interface ConsumerSample {
  group: string;
  topic: string;
  running: boolean;
  restarts: number;
}

export function kafkaMetrics(registers: Registry, lagOf: () => Promise<Array<{ group: string; topic: string; lag: number }>>, consumers: () => ConsumerSample[] = () => []) {
  const r = [registers];
  return {
    consumerUp: new Gauge({
      name: 'kafka_consumer_up',
      help: '1 while the consumer is joined and fetching, 0 while it reconnects',
      labelNames: ['group', 'topic'] as const,
      registers: r,
      collect() {
        this.reset();
        for (const c of consumers()) this.set({ group: c.group, topic: c.topic }, c.running ? 1 : 0);
      },
    }),
    consumerRestarts: new Gauge({
      name: 'kafka_consumer_restarts',
      help: 'Times the consumer was replaced (crash, stall) since its process started',
      labelNames: ['group', 'topic'] as const,
      registers: r,
      collect() {
        this.reset();
        for (const c of consumers()) this.set({ group: c.group, topic: c.topic }, c.restarts);
      },
    }),
    lag: new Gauge({
      name: 'kafka_consumer_lag_messages',
      help: 'Messages on the topic not yet consumed by the group (committed offsets)',
      labelNames: ['group', 'topic'] as const,
      registers: r,
      async collect() {
        const lags = await lagOf();
        this.reset();
        for (const l of lags) this.set({ group: l.group, topic: l.topic }, l.lag);
      },
    }),
    deadLetters: new Counter({
      name: 'kafka_dead_letter_total',
      help: 'Records sent to ndxp.dead-letter, by consumer group, source topic and reason (malformed, unstorable, failed)',
      labelNames: ['group', 'topic', 'reason'] as const,
      registers: r,
    }),
    produceErrors: new Counter({ name: 'kafka_produce_errors_total', help: 'Messages whose produce failed, by topic', labelNames: ['topic'] as const, registers: r }),
    requests: new Counter({
      name: 'kafka_client_requests_total',
      help: 'Requests this process sent to the Kafka brokers, by API (Produce, Fetch, OffsetCommit, Heartbeat, ...) and client (the producer, or a consumer by its topic)',
      labelNames: ['api', 'client'] as const,
      registers: r,
    }),
  };
}

/** What the registry's gauges read when Prometheus scrapes. */
export interface RegistryMetricSources {
  agencies(): number;
  lgsps(): number;
  grants(): number;
  credentials(): { active: number; revoked: number };
  outboxPending(): Promise<number>;
}

export function registryMetrics(registers: Registry, src: RegistryMetricSources) {
  const r = [registers];
  return {
    agencies: new Gauge({
      name: 'registry_agencies',
      help: 'Registered agencies',
      registers: r,
      collect() {
        this.set(src.agencies());
      },
    }),
    lgsps: new Gauge({
      name: 'registry_lgsps',
      help: 'Registered agencies with an LGSP',
      registers: r,
      collect() {
        this.set(src.lgsps());
      },
    }),
    grants: new Gauge({
      name: 'registry_grants',
      help: 'Access rights in force (client subsystem × service)',
      registers: r,
      collect() {
        this.set(src.grants());
      },
    }),
    credentials: new Gauge({
      name: 'registry_credentials',
      help: 'API keys by state',
      labelNames: ['state'] as const,
      registers: r,
      collect() {
        const c = src.credentials();
        this.set({ state: 'active' }, c.active);
        this.set({ state: 'revoked' }, c.revoked);
      },
    }),
    eventsAppended: new Counter({
      name: 'registry_events_appended_total',
      help: 'Events appended to the registry event store, by type',
      labelNames: ['type'] as const,
      registers: r,
    }),
    outboxPending: new Gauge({
      name: 'registry_outbox_pending',
      help: 'Outbox rows not yet published to Kafka',
      registers: r,
      async collect() {
        this.set(await src.outboxPending());
      },
    }),
  };
}

/**
 * The label for a service key: its service code (ids of members are not labels) when the registry has the
 * service, else `unknown`: a label never takes a value from the request alone, so junk adds no series.
 */
export function serviceLabel(serviceKey: string, registered: { has(serviceKey: string): boolean }): string {
  const parts = serviceKey.split('/');
  return parts.length === 5 && registered.has(serviceKey) ? parts[4] : 'unknown';
}
