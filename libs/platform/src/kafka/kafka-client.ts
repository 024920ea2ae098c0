import { portAnswers } from '../net/port-answers';
import { Kafka, logLevel, LogEntry } from 'kafkajs';
import { Logger } from '@nestjs/common';

/** kafkajs logs through Nest's logger so that every app's output has one format. */
function nestLogCreator(context: string) {
  const logger = new Logger(context);
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...rest } = log;
      const text = `${message} ${JSON.stringify(rest)}`;
      if (level === logLevel.ERROR) logger.error(text);
      else if (level === logLevel.WARN) logger.warn(text);
      else logger.debug?.(text);
    };
}

// We use the default (murmur2, Java-compatible) partitioner on purpose; the
// one-time notice about the v2 change is noise in every app's log.
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

export interface ConsumerDefaults {
  sessionTimeoutMs: number;
  /** The bootstrap brokers, probed before each reconnect attempt. */
  brokers?: string[];
}

const consumerDefaults = new WeakMap<Kafka, ConsumerDefaults>();

/** True when one of the brokers accepts a TCP connection within timeoutMs. */
export async function anyBrokerAccepts(brokers: string[], timeoutMs = 1000): Promise<boolean> {
  const tries = brokers.map((b) => portAnswers(Number(b.slice(b.lastIndexOf(':') + 1)), b.slice(0, b.lastIndexOf(':')), timeoutMs));
  return (await Promise.all(tries)).some(Boolean);
}

/**
 * True when a broker serves Kafka requests and every partition it knows has a leader. A broker restarted
 * after a crash binds its port seconds before it serves: its controller first waits out the dead
 * incarnation's session, and a request sent meanwhile hangs until the client's request timeout (5 s here).
 * A TCP knock first, then one metadata request with short timeouts and no retries.
 */
export async function brokerServes(brokers: string[], timeoutMs = 1000): Promise<boolean> {
  if (!(await anyBrokerAccepts(brokers, timeoutMs))) return false;
  const probe = new Kafka({
    clientId: 'ndxp-broker-probe',
    brokers,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = probe.admin();
  let timer: NodeJS.Timeout | undefined;
  const giveUp = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs * 2)));
  const ask = (async () => {
    await admin.connect();
    const { topics } = await admin.fetchTopicMetadata();
    return topics.every((t) => t.partitions.every((p) => p.leader >= 0));
  })().catch(() => false);
  try {
    return await Promise.race([ask, giveUp]);
  } finally {
    clearTimeout(timer);
    await admin.disconnect().catch(() => undefined);
  }
}

/** The consumer settings a client was created with (6 s sessions when none were given). */
export function consumerDefaultsOf(kafka: Kafka): ConsumerDefaults {
  return consumerDefaults.get(kafka) ?? { sessionTimeoutMs: 6000 };
}

export function createKafka(clientId: string, brokers: string[], quiet = false, defaults?: ConsumerDefaults): Kafka {
  const kafka = new Kafka({
    clientId,
    brokers,
    logLevel: quiet ? logLevel.NOTHING : logLevel.WARN,
    logCreator: nestLogCreator(`kafka:${clientId}`),
    // At most 2 s between tries: with kafkajs' default growth a broker back after 30 s was tried again only
    // ~20 s later. About 15 s of tries in all, then the caller hears of the failure.
    retry: { initialRetryTime: 200, maxRetryTime: 2000, retries: 10 },
    // A request sent as a broker comes back can go unanswered: with the default 30 s, one produce held every
    // later one of its process behind it (answers resumed ~12 s after the broker did, measured). Group joins
    // set their own, longer, timeouts.
    requestTimeout: 5000,
  });
  consumerDefaults.set(kafka, { sessionTimeoutMs: 6000, ...defaults, brokers });
  return kafka;
}
