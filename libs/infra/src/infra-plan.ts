import { ConfigError, DEFAULT_PORTS, KAFKA_BROKERS_PATTERN, DATABASE_URL_PATTERN, KafkaSecurity, kafkaSecurityFrom, maskUrlPassword } from '@ndxp/platform';

/** Kafka line used locally and in the official apache/kafka image of docker/docker-compose.yml. */
export const KAFKA_VERSION = '3.9.1';

export const LOCAL_DEFAULTS = {
  kafkaPort: 9092,
  kafkaControllerPort: 9093,
  kafkaHeap: '768m',
  /** Each of several brokers: three of 768 MB would take 2.3 GB of a laptop. */
  kafkaClusterHeap: '512m',
  postgresPort: 5432,
  embeddedPostgresPort: 54329,
  database: 'ndxp',
} as const;

export type SaslCredentials = NonNullable<KafkaSecurity['sasl']>;

/** Where one local broker listens: clients on `port`, the other controllers on `controllerPort`. */
export interface KafkaNodePorts {
  port: number;
  controllerPort: number;
}

export type KafkaPlan =
  | { mode: 'external'; brokers: string }
  | {
      mode: 'local';
      port: number;
      controllerPort: number;
      heap: string;
      version: string;
      sasl?: SaslCredentials;
      /** One per broker (KAFKA_CLUSTER_SIZE, `up --brokers N`); the first is port and controllerPort. */
      nodes: KafkaNodePorts[];
    }
  | { mode: 'testcontainers'; version: string };

export type PostgresPlan =
  { mode: 'external'; url: string } | { mode: 'local-server'; url: string } | { mode: 'embedded'; port: number; url: string } | { mode: 'testcontainers'; database: string };

export interface InfraPlan {
  kafka: KafkaPlan;
  postgres: PostgresPlan;
  apps: Record<keyof typeof DEFAULT_PORTS, number>;
}

/** What the launcher found out about the machine before choosing. */
export interface MachineFacts {
  postgresServerAnswers: boolean;
  dockerEngineAnswers: boolean;
}

export class PlanError extends Error {}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new PlanError(`${name} must be a port number 1-65535 (got "${raw}")`);
  return n;
}

/** The Kafka client settings (KAFKA_SASL_*, KAFKA_SSL), refused as the apps refuse them, before anything starts. */
function kafkaSecurity(env: NodeJS.ProcessEnv): KafkaSecurity {
  try {
    return kafkaSecurityFrom(env);
  } catch (e) {
    if (e instanceof ConfigError) throw new PlanError(e.problems.join('; '));
    throw e;
  }
}

/**
 * The local broker writes the credentials into its storage tool's `--add-scram` argument (split at commas)
 * and its JAAS setting (a quoted string): a name or password those would cut is refused here, naming it.
 */
function localSasl(sasl: SaslCredentials): SaslCredentials {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(sasl.username))
    throw new PlanError('KAFKA_SASL_USERNAME must be 1-64 letters, digits, ".", "_" or "-" for the local broker (its SCRAM user is created under that name)');
  // Printable ASCII too: the broker reads its properties file as ISO-8859-1, the storage tool its arguments as UTF-8.
  if (!/^[\x21-\x7e]{8,}$/.test(sasl.password) || /[,"\\]/.test(sasl.password))
    throw new PlanError(
      `KAFKA_SASL_PASSWORD must be 8 or more printable ASCII characters without spaces, commas, quotes or backslashes for the local broker (got ${sasl.password.length} characters), e.g. $(openssl rand -hex 24)`,
    );
  return sasl;
}

/** The most local brokers: each is a JVM of half a gigabyte. */
export const MAX_LOCAL_BROKERS = 9;

/** How many local brokers: KAFKA_CLUSTER_SIZE (what `up --brokers N` and a scenario's topology.brokers set), 1 by default. */
export function clusterSize(env: NodeJS.ProcessEnv): number {
  const raw = env.KAFKA_CLUSTER_SIZE;
  if (raw === undefined || raw === '') return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LOCAL_BROKERS)
    throw new PlanError(`KAFKA_CLUSTER_SIZE (--brokers) must be a whole number of local brokers from 1 to ${MAX_LOCAL_BROKERS}, e.g. 3 (got "${raw}")`);
  return n;
}

/**
 * Broker i (from 0) listens on KAFKA_PORT + 2i and its controller on KAFKA_CONTROLLER_PORT + 2i: with the
 * defaults 9092, 9094, 9096 and 9093, 9095, 9097. A port two of them would share is refused, naming it.
 */
export function kafkaNodePorts(port: number, controllerPort: number, size: number): KafkaNodePorts[] {
  const nodes = Array.from({ length: size }, (_, i) => ({ port: port + 2 * i, controllerPort: controllerPort + 2 * i }));
  const seen = new Map<number, string>();
  nodes.forEach((n, i) => {
    for (const [p, what] of [
      [n.port, `broker ${i + 1}'s client port`],
      [n.controllerPort, `broker ${i + 1}'s controller port`],
    ] as const) {
      if (p > 65535) throw new PlanError(`${what} would be ${p}, above 65535: choose a lower KAFKA_PORT / KAFKA_CONTROLLER_PORT`);
      const other = seen.get(p);
      if (other)
        throw new PlanError(
          `port ${p} would be both ${other} and ${what} (broker i listens on KAFKA_PORT + 2i, its controller on KAFKA_CONTROLLER_PORT + 2i): choose KAFKA_PORT and KAFKA_CONTROLLER_PORT an odd number apart, or more than ${2 * (size - 1)} apart`,
        );
      seen.set(p, what);
    }
  });
  return nodes;
}

/**
 * Decides where Kafka and PostgreSQL come from. Environment variables always
 * win; then testcontainers if asked for and a Docker engine answers; then the
 * local route (broker from Maven jars; the Postgres server on 5432 if one
 * answers, else an embedded one; NDXP_POSTGRES=embedded forces the embedded one).
 */
export function resolveInfraPlan(env: NodeJS.ProcessEnv, facts: MachineFacts): InfraPlan {
  const database = env.NDXP_DATABASE || LOCAL_DEFAULTS.database;
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new PlanError(`NDXP_DATABASE must be a lower-case SQL name (got "${database}")`);
  const pgChoice = env.NDXP_POSTGRES || 'auto';
  if (pgChoice !== 'auto' && pgChoice !== 'embedded') throw new PlanError(`NDXP_POSTGRES must be auto or embedded (got "${pgChoice}")`);
  const wantContainers = env.NDXP_TESTCONTAINERS === '1' || env.NDXP_TESTCONTAINERS === 'true';
  const containers = wantContainers && facts.dockerEngineAnswers;

  const security = kafkaSecurity(env);
  const size = clusterSize(env);
  if (size > 1 && (env.KAFKA_BROKERS || containers))
    throw new PlanError(
      `KAFKA_CLUSTER_SIZE (--brokers) starts local brokers, but ${env.KAFKA_BROKERS ? 'KAFKA_BROKERS points at a broker of yours' : 'NDXP_TESTCONTAINERS asks for a container'}: unset one of them`,
    );
  let kafka: KafkaPlan;
  if (env.KAFKA_BROKERS) {
    if (!KAFKA_BROKERS_PATTERN.test(env.KAFKA_BROKERS)) throw new PlanError(`KAFKA_BROKERS must be a comma-separated list of host:port (got "${env.KAFKA_BROKERS}")`);
    kafka = { mode: 'external', brokers: env.KAFKA_BROKERS };
  } else if (containers) {
    if (security.sasl || security.ssl) throw new PlanError('KAFKA_SASL_* and KAFKA_SSL need the local broker or KAFKA_BROKERS: the testcontainers broker has neither');
    kafka = { mode: 'testcontainers', version: KAFKA_VERSION };
  } else {
    const [kafkaPort, controllerPort] = [port(env, 'KAFKA_PORT', LOCAL_DEFAULTS.kafkaPort), port(env, 'KAFKA_CONTROLLER_PORT', LOCAL_DEFAULTS.kafkaControllerPort)];
    if (kafkaPort === controllerPort) throw new PlanError('KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ');
    kafka = {
      mode: 'local',
      port: kafkaPort,
      controllerPort,
      heap: env.KAFKA_HEAP || (size > 1 ? LOCAL_DEFAULTS.kafkaClusterHeap : LOCAL_DEFAULTS.kafkaHeap),
      version: KAFKA_VERSION,
      nodes: kafkaNodePorts(kafkaPort, controllerPort, size),
    };
    if (!/^\d+[mg]$/.test(kafka.heap)) throw new PlanError(`KAFKA_HEAP must look like 512m or 1g (got "${kafka.heap}")`);
    if (security.ssl) throw new PlanError('KAFKA_SSL=true needs a broker with TLS, and the local broker has none: set KAFKA_BROKERS to one, or leave KAFKA_SSL unset');
    if (security.sasl) kafka.sasl = localSasl(security.sasl);
  }

  let postgres: PostgresPlan;
  if (env.DATABASE_URL) {
    if (!DATABASE_URL_PATTERN.test(env.DATABASE_URL))
      throw new PlanError(`DATABASE_URL must be a PostgreSQL URL with a database name (got "${maskUrlPassword(env.DATABASE_URL)}")`);
    postgres = { mode: 'external', url: env.DATABASE_URL };
  } else if (containers) {
    postgres = { mode: 'testcontainers', database };
  } else if (facts.postgresServerAnswers && pgChoice === 'auto') {
    postgres = { mode: 'local-server', url: `postgres://postgres@127.0.0.1:${LOCAL_DEFAULTS.postgresPort}/${database}` };
  } else {
    const p = port(env, 'EMBEDDED_PG_PORT', LOCAL_DEFAULTS.embeddedPostgresPort);
    postgres = { mode: 'embedded', port: p, url: `postgres://postgres:postgres@127.0.0.1:${p}/${database}` };
  }

  return {
    kafka,
    postgres,
    apps: {
      registry: port(env, 'REGISTRY_PORT', DEFAULT_PORTS.registry),
      ndxp: port(env, 'NDXP_PORT', DEFAULT_PORTS.ndxp),
      lgsp: port(env, 'LGSP_PORT', DEFAULT_PORTS.lgsp),
      providers: port(env, 'PROVIDERS_PORT', DEFAULT_PORTS.providers),
    },
  };
}
