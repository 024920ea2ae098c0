import { DEFAULT_PORTS, KAFKA_BROKERS_PATTERN, DATABASE_URL_PATTERN, maskUrlPassword } from '@ndxp/platform';

/** Kafka line used locally and in the official apache/kafka image of docker/docker-compose.yml. */
export const KAFKA_VERSION = '3.9.1';

export const LOCAL_DEFAULTS = {
  kafkaPort: 9092,
  kafkaControllerPort: 9093,
  kafkaHeap: '768m',
  postgresPort: 5432,
  embeddedPostgresPort: 54329,
  database: 'ndxp',
} as const;

export type KafkaPlan =
  { mode: 'external'; brokers: string } | { mode: 'local'; port: number; controllerPort: number; heap: string; version: string } | { mode: 'testcontainers'; version: string };

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

  let kafka: KafkaPlan;
  if (env.KAFKA_BROKERS) {
    if (!KAFKA_BROKERS_PATTERN.test(env.KAFKA_BROKERS)) throw new PlanError(`KAFKA_BROKERS must be a comma-separated list of host:port (got "${env.KAFKA_BROKERS}")`);
    kafka = { mode: 'external', brokers: env.KAFKA_BROKERS };
  } else if (containers) {
    kafka = { mode: 'testcontainers', version: KAFKA_VERSION };
  } else {
    kafka = {
      mode: 'local',
      port: port(env, 'KAFKA_PORT', LOCAL_DEFAULTS.kafkaPort),
      controllerPort: port(env, 'KAFKA_CONTROLLER_PORT', LOCAL_DEFAULTS.kafkaControllerPort),
      heap: env.KAFKA_HEAP || LOCAL_DEFAULTS.kafkaHeap,
      version: KAFKA_VERSION,
    };
    if (kafka.port === kafka.controllerPort) throw new PlanError('KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ');
    if (!/^\d+[mg]$/.test(kafka.heap)) throw new PlanError(`KAFKA_HEAP must look like 512m or 1g (got "${kafka.heap}")`);
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
