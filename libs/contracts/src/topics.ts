/**
 * Kafka topic names. Every app takes them from here so that a rename is one change.
 * Names are dot-separated, lower case: `<domain>.<what>`.
 */
export const Topics = {
  /** Requests from LGSP gateways to the NDXP hub. */
  hubRequests: 'ndxp.hub.requests',
  /** Replies from NDXP to one LGSP process: one topic per process instance. */
  lgspReplies: (instanceId: string): string => `ndxp.lgsp.replies.${instanceId}`,
  /** Probe topic used by the launcher to prove a message round-trips through the broker. */
  launcherProbe: 'ndxp.launcher.probe',
} as const;

/** Kafka header names used on request/reply envelopes. */
export const KafkaHeaders = {
  correlationId: 'ndxp-correlation-id',
  replyTo: 'ndxp-reply-to',
  operation: 'ndxp-operation',
  deadline: 'ndxp-deadline',
} as const;
