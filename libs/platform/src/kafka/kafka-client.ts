import { connect, isIP } from 'net';
import { connect as connectTls } from 'tls';
import { Kafka, KafkaConfig, logLevel, LogEntry, SASLOptions } from 'kafkajs';
import { Logger } from '@nestjs/common';
import { KafkaSecurity } from '../config/kafka-security';

/**
 * The level a kafkajs log line is shown at. Two lines are noise, not news: the warning kafkajs gives for every
 * idempotent producer whose retries are limited (BatchingProducer retries instead: see KafkaService.newProducer),
 * and a broker's "coordinator is loading" answer to a new producer's InitProducerId, which kafkajs retries (a
 * broker just started loads its transaction state for a moment): each app logged it as an ERROR at start.
 */
export function kafkaLogLevel(level: logLevel, message: string, error?: unknown): 'error' | 'warn' | 'debug' {
  if (message.startsWith('Limiting retries for the idempotent producer')) return 'debug';
  if (message.startsWith('Response InitProducerId') && String(error ?? '').includes('coordinator is loading')) return 'debug';
  return level === logLevel.ERROR ? 'error' : level === logLevel.WARN ? 'warn' : 'debug';
}

/** kafkajs logs through Nest's logger so that every app's output has one format. */
function nestLogCreator(context: string) {
  const logger = new Logger(context);
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...rest } = log;
      const text = `${message} ${JSON.stringify(rest)}`;
      const shown = kafkaLogLevel(level, message, (rest as { error?: unknown }).error);
      if (shown === 'error') logger.error(text);
      else if (shown === 'warn') logger.warn(text);
      else logger.debug?.(text);
    };
}

// We use the default (murmur2, Java-compatible) partitioner on purpose; the
// one-time notice about the v2 change is noise in every app's log.
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

export interface ConsumerDefaults {
  sessionTimeoutMs: number;
  /** A fetch's longest wait at the broker (50 ms when not given). */
  fetchMaxWaitMs?: number;
  /** The bytes a fetch waits for, up to fetchMaxWaitMs (1 when not given: back with the first record). */
  fetchMinBytes?: number;
  /** Told of every request a consumer of this client sends (kafkajs' REQUEST instrumentation event): the metrics. */
  onRequest?: (api: string, client: string) => void;
  /** The bootstrap brokers, probed before each reconnect attempt. */
  brokers?: string[];
  /** The brokers speak TLS: the probe does too. */
  ssl?: boolean;
}

const consumerDefaults = new WeakMap<Kafka, ConsumerDefaults>();

/**
 * True when a broker answers a Kafka request now. A broker restarted after a crash binds its port seconds
 * before it serves (its controller first waits out the dead incarnation's session, and request processing
 * is enabled only then): a client's request sent meanwhile hangs for the whole request timeout (5 s here).
 * The probe is one ApiVersions request (v0, the request every client sends first) on a socket of its own,
 * closed after: cheaper than a kafkajs client per probe, and it cannot be caught in that client's retries.
 * A SASL listener answers it too: Kafka serves ApiVersions before authentication (clients ask it first to
 * learn the handshake's versions), so the probe needs no credentials. A TLS listener needs `ssl`.
 */
export async function brokerServes(brokers: string[], timeoutMs = 1000, ssl = false): Promise<boolean> {
  const answers = await Promise.all(brokers.map((b) => answersApiVersions(b.slice(0, b.lastIndexOf(':')), Number(b.slice(b.lastIndexOf(':') + 1)), timeoutMs, ssl)));
  return answers.some(Boolean);
}

const API_VERSIONS = 18;
const PROBE_CLIENT_ID = Buffer.from('ndxp-broker-probe');

function answersApiVersions(host: string, port: number, timeoutMs: number, ssl: boolean): Promise<boolean> {
  // Size, then the request header v1: api key, api version 0, correlation id, client id (int16 length + bytes).
  const request = Buffer.alloc(4 + 2 + 2 + 4 + 2 + PROBE_CLIENT_ID.length);
  request.writeInt32BE(request.length - 4, 0);
  request.writeInt16BE(API_VERSIONS, 4);
  request.writeInt16BE(0, 6);
  request.writeInt32BE(0x6e647870, 8); // 'ndxp'
  request.writeInt16BE(PROBE_CLIENT_ID.length, 12);
  PROBE_CLIENT_ID.copy(request, 14);
  return new Promise((resolve) => {
    // TLS as kafkajs' `ssl: true` does it: the system's CAs, the host name checked.
    const socket = ssl ? connectTls({ host, port, servername: isIP(host) ? undefined : host }) : connect({ host, port });
    let received = Buffer.alloc(0);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on(ssl ? 'secureConnect' : 'connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 8) done(received.readInt32BE(4) === 0x6e647870); // size, then our correlation id
    });
    socket.on('error', () => done(false));
    socket.on('close', () => done(false));
  });
}

/** The consumer settings a client was created with (6 s sessions when none were given). */
export function consumerDefaultsOf(kafka: Kafka): ConsumerDefaults {
  return consumerDefaults.get(kafka) ?? { sessionTimeoutMs: 6000 };
}

/** kafkajs' TLS and SASL options for `security`: every client of the project's, the launcher's probe included, takes them from here. */
export function kafkaAuth(security: KafkaSecurity = {}): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const auth: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (security.ssl) auth.ssl = true;
  if (security.sasl) auth.sasl = { ...security.sasl } as SASLOptions;
  return auth;
}

export function createKafka(clientId: string, brokers: string[], quiet = false, defaults?: ConsumerDefaults, security: KafkaSecurity = {}): Kafka {
  const kafka = new Kafka({
    clientId,
    brokers,
    ...kafkaAuth(security),
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
  consumerDefaults.set(kafka, { sessionTimeoutMs: 6000, ...defaults, brokers, ssl: security.ssl });
  return kafka;
}

/** "This server does not host this topic-partition": a broker that has not learnt of the topic (yet). */
export function unknownTopic(e: unknown): boolean {
  return (e as { type?: string } | undefined)?.type === 'UNKNOWN_TOPIC_OR_PARTITION';
}
