import { DEFAULT_MEMBER_CLASSES, DEFAULT_XROAD_INSTANCE } from '@ndxp/contracts';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { MAX_HEADER_BYTES_LIMIT } from '@ndxp/contracts';
import { ConfigError, loadConfig } from './load-config';
import { MIN_SIGNING_KEY_LENGTH } from '@ndxp/contracts';
import { DEFAULT_ADMIN_TOKEN, PUBLIC_DEFAULTS, refuseDefaultSecrets } from './secrets';
import { KafkaSecurityConfig } from './kafka-security';

const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value);

export const KAFKA_BROKERS_PATTERN = /^[A-Za-z0-9._-]+:\d{1,5}(,[A-Za-z0-9._-]+:\d{1,5})*$/;
export const DATABASE_URL_PATTERN = /^postgres(ql)?:\/\/[^/\s]+\/[A-Za-z0-9_]+(\?.*)?$/;

/** Settings every app shares (the Kafka client's security among them). Each app reads them once at start-up. */
export class AppConfig extends KafkaSecurityConfig {
  @Transform(({ value }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value))
  @IsInt({ message: 'must be a port number 1-65535' })
  @Min(1, { message: 'must be a port number 1-65535' })
  @Max(65535, { message: 'must be a port number 1-65535' })
  PORT!: number;

  /** Address to bind: 127.0.0.1 locally, 0.0.0.0 in containers. */
  @Matches(/^[A-Za-z0-9.:-]+$/, { message: 'must be an address to bind, e.g. 127.0.0.1 or 0.0.0.0' })
  HOST!: string;

  @IsString()
  @Matches(KAFKA_BROKERS_PATTERN, { message: 'must be a comma-separated list of host:port, e.g. 127.0.0.1:9092' })
  KAFKA_BROKERS!: string;

  @IsString()
  @Matches(DATABASE_URL_PATTERN, {
    message: 'must be a PostgreSQL URL with a database name, e.g. postgres://postgres@127.0.0.1:5432/ndxp',
  })
  DATABASE_URL!: string;

  @IsIn(['error', 'warn', 'log', 'debug', 'verbose'], { message: 'must be one of error, warn, log, debug, verbose' })
  LOG_LEVEL!: string;

  /** Identifies this process among several of the same app (reply topics, consumer groups). */
  @Matches(/^[a-z0-9][a-z0-9-]{0,62}$/, { message: 'must be lower-case letters, digits and dashes (at most 63)' })
  INSTANCE_ID!: string;

  /** Guards every admin API (registry changes, fault settings, projection rebuilds) and reads the whole ledger. */
  @Matches(/^\S{12,}$/, { message: 'must be at least 12 characters without spaces' })
  ADMIN_TOKEN!: string;

  /** Also allowed to change the fault settings (providers); ADMIN_TOKEN always is. */
  @IsOptional()
  @Matches(/^\S{12,}$/, { message: 'must be at least 12 characters without spaces' })
  FAULTS_ADMIN_TOKEN?: string;

  /** Also allowed to rebuild the ledger projection (ndxp); ADMIN_TOKEN always is. */
  @IsOptional()
  @Matches(/^\S{12,}$/, { message: 'must be at least 12 characters without spaces' })
  PROJECTION_ADMIN_TOKEN?: string;

  /**
   * Consumer group session: how long a crashed member holds its partitions. Short is fast recovery
   * (a restarted hub waits this long for its dead predecessor); the broker refuses values below its
   * group.min.session.timeout.ms (6000 by default; the launcher's broker allows 1000).
   */
  @Transform(({ value }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value))
  @IsInt({ message: 'must be milliseconds, 1000-300000' })
  @Min(1000, { message: 'must be milliseconds, 1000-300000' })
  @Max(300000, { message: 'must be milliseconds, 1000-300000' })
  KAFKA_SESSION_TIMEOUT_MS!: number;

  /** How long a produced message waits for others to share its request to the broker (ms, 0-50; 2 by default). */
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'must be milliseconds, 0-50' })
  @Min(0, { message: 'must be milliseconds, 0-50' })
  @Max(50, { message: 'must be milliseconds, 0-50' })
  KAFKA_LINGER_MS?: number;

  /**
   * How long the broker may hold a consumer's fetch when it has fewer than KAFKA_FETCH_MIN_BYTES to give
   * (ms, 1-500; 50 by default). With the default minimum of one byte a fetch comes back with the first
   * record, so at low rates every record costs a fetch (and kafkajs' offset commit after it). An idle consumer
   * fetches once per wait, so 0 would spin; kafkajs heartbeats between fetches, so the wait stays well inside
   * the shortest session the broker allows here (1000 ms).
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'must be milliseconds, 1-500' })
  @Min(1, { message: 'must be milliseconds, 1-500' })
  @Max(500, { message: 'must be milliseconds, 1-500' })
  KAFKA_FETCH_MAX_WAIT_MS?: number;

  /** Bytes a consumer's fetch waits for, up to KAFKA_FETCH_MAX_WAIT_MS (1-1048576; 1 by default). */
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'must be bytes, 1-1048576' })
  @Min(1, { message: 'must be bytes, 1-1048576' })
  @Max(1048576, { message: 'must be bytes, 1-1048576' })
  KAFKA_FETCH_MIN_BYTES?: number;

  /** Time to receive a request's head (ms); a slow head is cut with 408. At most HTTP_REQUEST_TIMEOUT_MS. */
  @IsOptional() @Transform(toInt) @IsInt({ message: 'must be milliseconds, 1000-600000' }) @Min(1000) @Max(600_000) HTTP_HEADERS_TIMEOUT_MS?: number;

  /** Time to receive a whole request, body included (ms); then 408 and the connection closed. */
  @IsOptional() @Transform(toInt) @IsInt({ message: 'must be milliseconds, 1000-600000' }) @Min(1000) @Max(600_000) HTTP_REQUEST_TIMEOUT_MS?: number;

  /** Idle time a kept-alive connection is held between requests (ms). */
  @IsOptional() @Transform(toInt) @IsInt({ message: 'must be milliseconds, 100-600000' }) @Min(100) @Max(600_000) HTTP_KEEP_ALIVE_TIMEOUT_MS?: number;

  /** Bytes of request head (request line and headers) taken; past them, 431. At most 64 KiB, so a request's envelope fits in one Kafka message. */
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: `must be bytes, 1024-${MAX_HEADER_BYTES_LIMIT}` })
  @Min(1024)
  @Max(MAX_HEADER_BYTES_LIMIT)
  HTTP_MAX_HEADER_SIZE?: number;

  /** The X-Road instance code every identifier carries (libs/contracts reads the same variable once; absent: VN). */
  @IsOptional()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { message: 'must be an X-Road instance code: 1-64 letters, digits, ".", "_" or "-", e.g. VN or XROADVN' })
  XROAD_INSTANCE!: string;

  /** The member classes identifiers may name, comma-separated: GOV (agency codes), COM (enterprise codes), others (any plain code). */
  @IsOptional()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}(,[A-Za-z0-9][A-Za-z0-9._-]{0,63})*$/, { message: 'must be member class codes separated by commas, e.g. GOV,COM' })
  XROAD_MEMBER_CLASSES!: string;

  get kafkaBrokers(): string[] {
    return this.KAFKA_BROKERS.split(',');
  }
}

/** Validates a signing key setting (PLATFORM_SIGNING_KEY, PROVIDER_SIGNING_KEY): long enough to resist guessing. */
export const IsSigningKey = (): PropertyDecorator =>
  Matches(new RegExp(`^\\S{${MIN_SIGNING_KEY_LENGTH},}$`), { message: `must be at least ${MIN_SIGNING_KEY_LENGTH} characters without spaces, e.g. $(openssl rand -hex 24)` });

export const DEFAULT_PORTS = { registry: 3001, ndxp: 3002, lgsp: 3003, providers: 3004 } as const;
export type AppName = keyof typeof DEFAULT_PORTS;

export const DEFAULT_KAFKA_BROKERS = '127.0.0.1:9092';
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/ndxp';

export function appConfigDefaults(app: AppName): Record<string, string> {
  return {
    PORT: String(DEFAULT_PORTS[app]),
    HOST: '127.0.0.1',
    KAFKA_BROKERS: DEFAULT_KAFKA_BROKERS,
    DATABASE_URL: DEFAULT_DATABASE_URL,
    LOG_LEVEL: 'log',
    INSTANCE_ID: `${app}-1`,
    ADMIN_TOKEN: DEFAULT_ADMIN_TOKEN,
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    XROAD_INSTANCE: DEFAULT_XROAD_INSTANCE,
    XROAD_MEMBER_CLASSES: DEFAULT_MEMBER_CLASSES,
  };
}

/** The settings with a public default that an app reads: the admin tokens, and its own (extraDefaults) such as the registry's seed secret. */
export function secretsOf(extraDefaults: Record<string, string>): string[] {
  return ['ADMIN_TOKEN', 'FAULTS_ADMIN_TOKEN', 'PROJECTION_ADMIN_TOKEN', ...Object.keys(extraDefaults).filter((k) => k in PUBLIC_DEFAULTS)];
}

/**
 * Reads an app's configuration, or stops the process with a message that names
 * the bad setting (exit code 78), a public default outside development mode
 * included. Call once in main.ts before Nest starts.
 */
export function loadAppConfigOrExit<T extends AppConfig>(app: AppName, schema: new () => T, env: NodeJS.ProcessEnv = process.env, extraDefaults: Record<string, string> = {}): T {
  try {
    const config = loadConfig(app, schema, env, { ...appConfigDefaults(app), ...extraDefaults } as never);
    refuseDefaultSecrets(app, config as unknown as Record<string, unknown> & { HOST: string }, env.NODE_ENV, secretsOf(extraDefaults));
    return config;
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
}
