/**
 * Kafka topic names. Every app takes them from here so that a rename is one change.
 */
export const Topics = {
  /** Requests from LGSP gateways to the NDXP hub. */
  hubRequests: 'ndxp.hub.requests',
  /** Replies from NDXP to one LGSP process: one topic per process instance. */
  lgspReplies: (instanceId: string): string => `ndxp.lgsp.replies.${instanceId}`,
  /** Requests from the hub to one national database. */
  providerRequests: (database: string): string => `ndxp.provider.${database}.requests`,
  /** Provider answers to one hub instance. */
  hubReplies: (instanceId: string): string => `ndxp.hub.replies.${instanceId}`,
  /** Every transaction's events: the source of truth for the ledger. */
  transactions: 'ndxp.transactions',
  /** Registry events, published from the registry's outbox. One partition: one order. */
  registryEvents: 'ndxp.registry.events',
  /** Records a consumer could not process (malformed, unstorable, or failing after bounded retries), with headers saying where from and why. */
  deadLetter: 'ndxp.dead-letter',
  /** Every admin change, let through or refused (admin-audit.ts), keyed by its audit id. One partition: one order. */
  adminAudit: 'ndxp.admin-audit',
  /** Probe topic used by the launcher to prove a message round-trips through the broker. */
  launcherProbe: 'ndxp.launcher.probe',
} as const;

/** Partitions of the busy topics: enough for several instances to share the load. */
export const HOT_TOPIC_PARTITIONS = 6;

/** Kafka header names used on request/reply envelopes. */
export const KafkaHeaders = {
  correlationId: 'ndxp-correlation-id',
  replyTo: 'ndxp-reply-to',
  operation: 'ndxp-operation',
  deadline: 'ndxp-deadline',
  /** HMAC of the request by its producer (signing.ts): a gateway's to the hub, the hub's to a national database. */
  signature: 'ndxp-signature',
} as const;

/**
 * Why a record went to `ndxp.dead-letter`: `malformed` (a guarded parser refused it), `unstorable` (the
 * database refused its own data) or `failed` (its handler still threw after the bounded retries).
 */
export type DeadLetterReason = 'malformed' | 'unstorable' | 'failed';
export const DEAD_LETTER_REASONS: readonly DeadLetterReason[] = ['malformed', 'unstorable', 'failed'];

/** Headers of a dead letter, next to the original record's own (whose value and key it keeps byte for byte). */
export const DeadLetterHeaders = {
  topic: 'ndxp-dl-source-topic',
  partition: 'ndxp-dl-source-partition',
  offset: 'ndxp-dl-source-offset',
  group: 'ndxp-dl-group',
  reason: 'ndxp-dl-reason',
  detail: 'ndxp-dl-detail',
  at: 'ndxp-dl-at',
  /** Set when the value was cut to fit the topic's message size: its length as consumed. */
  truncated: 'ndxp-dl-truncated-from',
} as const;
