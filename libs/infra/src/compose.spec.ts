import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { parse } from 'yaml';
import { AppConfig, DEFAULT_PORTS, loadConfig, PUBLIC_DEFAULTS, refuseDefaultSecrets } from '@ndxp/platform';
import { KAFKA_VERSION, LOCAL_DEFAULTS } from './infra-plan';
import { replicationFor } from './kafka/local-kafka-broker';
import { APPS } from './stack';
import { repoRoot } from './paths';

// The Docker route cannot run on a machine without a Docker engine, so this
// test keeps it honest another way: it must agree with the local launcher.
const compose = parse(readFileSync(join(repoRoot(), 'docker', 'docker-compose.yml'), 'utf8'), { merge: true });
const services = compose.services as Record<string, any>;
const hostPorts = (svc: any): number[] => (svc.ports ?? []).map((p: string) => Number(String(p).split(':')[0]));

/** Compose's interpolation of `${X}`, `${X:-default}` and `${X:?error}`, as `docker compose` does it with `vars` as the shell. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{([A-Z_][A-Z0-9_]*)(?::([-?])([^}]*))?\}/g, (_, name: string, op?: string, arg?: string) => {
    if (vars[name]) return vars[name];
    if (op === '?') throw new Error(arg);
    return op === '-' ? (arg ?? '') : '';
  });
}
const interpolated = (env: Record<string, string>, vars: Record<string, string>) => Object.fromEntries(Object.entries(env).map(([k, v]) => [k, interpolate(String(v), vars)]));
const SHELL = {
  ADMIN_TOKEN: 'a-private-admin-token',
  REGISTRY_SEED_SECRET: 'a-private-seed-secret',
  PLATFORM_SIGNING_KEY: 'a-private-platform-signing-key-of-40-chars',
  PROVIDER_SIGNING_KEY: 'a-private-provider-signing-key-of-40-chars',
  POSTGRES_PASSWORD: 'aPrivatePostgresPassword0',
  KAFKA_SASL_USERNAME: 'ndxp-apps',
  KAFKA_SASL_PASSWORD: 'aPrivateKafkaPassword0',
};
/** What the shell has, one variable left out. */
const without = (name: keyof typeof SHELL): Record<string, string> => Object.fromEntries(Object.entries(SHELL).filter(([k]) => k !== name));

/** The property the apache/kafka image makes of a KAFKA_ variable (its KafkaDockerWrapper: "_" is ".", "___" is "-", "__" is "_"). */
const imageProperty = (name: string): string =>
  name
    .replace(/^KAFKA_/, '')
    .toLowerCase()
    .replace(/_/g, '.')
    .replace(/\.\.\./g, '-')
    .replace(/\.\./g, '_');
const propertiesOf = (svc: any): Record<string, string> =>
  Object.fromEntries(
    Object.entries(svc.environment as Record<string, unknown>)
      .filter(([k]) => k.startsWith('KAFKA_'))
      .map(([k, v]) => [imageProperty(k), String(v)]),
  );
const brokerProperties = (): Record<string, string> => propertiesOf(services.kafka);
const listenersOf = (value: string): Record<string, string> => Object.fromEntries(value.split(',').map((l) => l.split('://')));

describe('docker/docker-compose.yml', () => {
  it('runs the same Kafka version as the local broker', () => {
    expect(services.kafka.image).toBe(`apache/kafka:${KAFKA_VERSION}`);
    expect(services.kafka.environment.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe('1');
    expect(services.kafka.environment.KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS).toBe('0');
  });

  it('runs PostgreSQL with the project database', () => {
    expect(services.postgres.environment.POSTGRES_DB).toBe(LOCAL_DEFAULTS.database);
  });

  it('keeps Kafka and PostgreSQL on an internal network only: no published port, no listener for the host', () => {
    expect(compose.networks.backend.internal).toBe(true);
    for (const name of ['kafka', 'postgres']) {
      expect(services[name].ports).toBeUndefined();
      expect(services[name].network_mode).toBeUndefined();
      expect(services[name].networks).toEqual(['backend']);
    }
    expect(services['kafka-users'].network_mode).toBe('service:kafka');
    expect(services['kafka-users'].ports).toBeUndefined();
    expect(listenersOf(services.kafka.environment.KAFKA_ADVERTISED_LISTENERS).INTERNAL).toBe('kafka:29092');
    expect(services.kafka.environment.KAFKA_LISTENERS).not.toMatch(/HOST|EXTERNAL/);
    for (const app of APPS) expect(services[app].networks).toEqual(['backend', 'default']);
    for (const other of ['prometheus', 'grafana']) expect(services[other].networks ?? ['default']).not.toContain('backend');
  });

  it('requires the secrets (compose stops naming the variable) and passes the optional admin tokens through', () => {
    const required = (v: string, name: string) => expect(v).toMatch(new RegExp(`^\\$\\{${name}:\\?set ${name} .+\\}$`));
    for (const app of APPS) required(services[app].environment.ADMIN_TOKEN, 'ADMIN_TOKEN');
    required(services.registry.environment.REGISTRY_SEED_SECRET, 'REGISTRY_SEED_SECRET');
    // The gateways and the hub share one signing key, the hub and the databases another; a gateway never gets the second.
    for (const app of ['ndxp', 'lgsp']) required(services[app].environment.PLATFORM_SIGNING_KEY, 'PLATFORM_SIGNING_KEY');
    for (const app of ['ndxp', 'providers']) required(services[app].environment.PROVIDER_SIGNING_KEY, 'PROVIDER_SIGNING_KEY');
    expect(services.lgsp.environment.PROVIDER_SIGNING_KEY).toBeUndefined();
    expect(services.providers.environment.PLATFORM_SIGNING_KEY).toBeUndefined();
    expect(() => interpolated(services.lgsp.environment, without('PLATFORM_SIGNING_KEY'))).toThrow(/set PLATFORM_SIGNING_KEY/);
    expect(services.providers.environment.FAULTS_ADMIN_TOKEN).toBe('${FAULTS_ADMIN_TOKEN:-}');
    expect(services.ndxp.environment.PROJECTION_ADMIN_TOKEN).toBe('${PROJECTION_ADMIN_TOKEN:-}');
    expect(() => interpolated(services.registry.environment, without('ADMIN_TOKEN'))).toThrow(/set ADMIN_TOKEN/);
    expect(() => interpolated(services.registry.environment, without('REGISTRY_SEED_SECRET'))).toThrow(/set REGISTRY_SEED_SECRET/);
    // nothing in the file is a public default
    expect(JSON.stringify(compose)).not.toMatch(new RegExp(Object.values(PUBLIC_DEFAULTS).join('|')));
  });

  it('requires a login to Kafka: SCRAM on the only listener other containers reach, the user created before any app starts', () => {
    const props = brokerProperties();
    const listeners = listenersOf(props.listeners);
    const protocols = Object.fromEntries(props['listener.security.protocol.map'].split(',').map((p) => p.split(':')));
    // Every listener without a login is on the broker container's own loopback.
    for (const [name, address] of Object.entries(listeners)) if (protocols[name] !== 'SASL_PLAINTEXT') expect(address).toMatch(/^127\.0\.0\.1:/);
    expect(protocols.INTERNAL).toBe('SASL_PLAINTEXT');
    expect(props['controller.quorum.voters']).toBe(`1@${listeners.CONTROLLER}`);
    expect(props['advertised.listeners']).toContain(`${props['inter.broker.listener.name']}://${listeners[props['inter.broker.listener.name']]}`);
    const mechanism = interpolated(services.ndxp.environment, SHELL).KAFKA_SASL_MECHANISM;
    expect(props['sasl.enabled.mechanisms']).toBe(mechanism.toUpperCase());
    expect(props[`listener.name.internal.${mechanism}.sasl.jaas.config`]).toMatch(/^org\.apache\.kafka\.common\.security\.scram\.ScramLoginModule required;$/);
    // kafka-users creates that user, through the loopback listener, with the apps' name and password; the apps wait for it.
    const users = services['kafka-users'];
    expect(users.depends_on.kafka.condition).toBe('service_healthy');
    expect(users.command[0]).toContain(`--bootstrap-server ${listeners.BROKER} --alter --entity-type users`);
    expect(users.command[0]).toContain(`--add-config "${mechanism.toUpperCase()}=[password=$$SCRAM_PASSWORD]"`);
    expect(interpolated(users.environment, SHELL)).toEqual({ SCRAM_USERNAME: SHELL.KAFKA_SASL_USERNAME, SCRAM_PASSWORD: SHELL.KAFKA_SASL_PASSWORD });
    expect(services.kafka.healthcheck.test[1]).toContain(`--bootstrap-server ${listeners.BROKER} `);
    for (const app of APPS) expect(services[app].depends_on['kafka-users'].condition).toBe('service_completed_successfully');
  });

  it('requires the Kafka login and the PostgreSQL password (compose stops naming the variable), and PostgreSQL trusts nobody', () => {
    const required = (v: string, name: string) => expect(v).toMatch(new RegExp(`\\$\\{${name}:\\?set ${name} [^}]+\\}`));
    for (const app of APPS) {
      required(services[app].environment.KAFKA_SASL_USERNAME, 'KAFKA_SASL_USERNAME');
      required(services[app].environment.KAFKA_SASL_PASSWORD, 'KAFKA_SASL_PASSWORD');
      required(services[app].environment.DATABASE_URL, 'POSTGRES_PASSWORD');
    }
    required(services.postgres.environment.POSTGRES_PASSWORD, 'POSTGRES_PASSWORD');
    expect(services.postgres.environment.POSTGRES_HOST_AUTH_METHOD).toBeUndefined();
    for (const name of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'POSTGRES_PASSWORD'] as const)
      expect(() => interpolated(services.ndxp.environment, without(name))).toThrow(new RegExp(`set ${name}`));
    expect(() => interpolated(services['kafka-users'].environment, without('KAFKA_SASL_PASSWORD'))).toThrow(/set KAFKA_SASL_PASSWORD/);
    expect(() => interpolated(services.postgres.environment, without('POSTGRES_PASSWORD'))).toThrow(/set POSTGRES_PASSWORD/);
  });

  it.each(APPS)('gives %s a valid configuration with the launcher’s port and variable names', (app) => {
    const svc = services[app];
    expect(svc).toBeDefined();
    expect(svc.build.args.APP).toBe(app);
    const env = interpolated(svc.environment, SHELL);
    // The app's own validation accepts the compose environment with the required secrets set, outside development mode (the image sets NODE_ENV=production).
    const config = loadConfig(app, AppConfig, env);
    expect(() => refuseDefaultSecrets(app, config as never, 'production')).not.toThrow();
    expect(config.PORT).toBe(DEFAULT_PORTS[app]);
    expect(hostPorts(svc)).toContain(DEFAULT_PORTS[app]);
    expect(config.HOST).toBe('0.0.0.0');
    const internal = services.kafka.environment.KAFKA_ADVERTISED_LISTENERS.match(/INTERNAL:\/\/([^,]+)/)[1];
    expect(config.KAFKA_BROKERS).toBe(internal);
    expect(new URL(config.DATABASE_URL).pathname).toBe(`/${services.postgres.environment.POSTGRES_DB}`);
    expect(new URL(config.DATABASE_URL).password).toBe(SHELL.POSTGRES_PASSWORD);
    expect(config.kafkaSecurity).toEqual({ ssl: false, sasl: { mechanism: 'scram-sha-256', username: SHELL.KAFKA_SASL_USERNAME, password: SHELL.KAFKA_SASL_PASSWORD } });
    expect(svc.depends_on['kafka-users'].condition).toBe('service_completed_successfully');
    expect(svc.depends_on.kafka.condition).toBe('service_healthy');
  });

  it('lets a test suite choose the LGSPs the gateway hosts (LGSP_AGENCIES, all by default), as startEmulator does', () => {
    expect(interpolated(services.lgsp.environment, SHELL).LGSP_AGENCIES).toBe('all');
    expect(interpolated(services.lgsp.environment, { ...SHELL, LGSP_AGENCIES: '000.00.00.H26,000.00.00.H29' }).LGSP_AGENCIES).toBe('000.00.00.H26,000.00.00.H29');
    for (const app of ['registry', 'ndxp', 'providers']) expect(services[app].environment.LGSP_AGENCIES).toBeUndefined();
  });

  it('scrapes every app from Prometheus, with the rule files mounted where the config looks for them', () => {
    const prom = parse(readFileSync(join(repoRoot(), 'docker', 'prometheus', 'prometheus.compose.yml'), 'utf8'));
    const targets = prom.scrape_configs.flatMap((j: any) => j.static_configs.flatMap((s: any) => s.targets));
    for (const app of APPS) expect(targets).toContain(`${app}:${DEFAULT_PORTS[app]}`);
    const mounts = (services.prometheus.volumes as string[]).map((v) => v.split(':'));
    for (const rule of prom.rule_files as string[]) {
      const inContainer = `/etc/prometheus/${rule}`;
      const mount = mounts.find(([, target]) => inContainer.startsWith(target));
      expect(mount).toBeDefined();
      const onHost = join(repoRoot(), 'docker', mount![0], inContainer.slice(mount![1].length));
      expect(existsSync(onHost)).toBe(true);
    }
  });

  it('provisions Grafana with the dashboards of docker/grafana/dashboards', () => {
    const mounts = (services.grafana.volumes as string[]).map((v) => v.split(':'));
    expect(mounts).toContainEqual(['./grafana/dashboards', '/var/lib/grafana/dashboards', 'ro']);
    const provider = parse(readFileSync(join(repoRoot(), 'docker', 'grafana', 'provisioning', 'dashboards', 'dashboards.yml'), 'utf8'));
    expect(provider.providers[0].options.path).toBe('/var/lib/grafana/dashboards');
  });
});

/** A service's networks as a mapping: compose takes a list or a mapping, and merges them so. */
const networksOf = (svc: any): Record<string, any> => (Array.isArray(svc.networks) ? Object.fromEntries(svc.networks.map((n: string) => [n, {}])) : { ...(svc.networks ?? {}) });

/** `docker compose -f a -f b`'s merge, for what these files use: mappings merged key by key, lists replaced. */
function overlay(base: any, over: any, key = ''): any {
  if (key === 'networks' && (Array.isArray(base) || Array.isArray(over))) return overlay(networksOf({ networks: base }), networksOf({ networks: over }));
  if (!base || !over || typeof base !== 'object' || typeof over !== 'object' || Array.isArray(base) || Array.isArray(over)) return over ?? base;
  const out: Record<string, any> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? overlay(base[k], v, k) : v;
  return out;
}

describe('docker/docker-compose.cluster.yml laid over docker-compose.yml', () => {
  const cluster = overlay(compose, parse(readFileSync(join(repoRoot(), 'docker', 'docker-compose.cluster.yml'), 'utf8'), { merge: true }));
  const svcs = cluster.services as Record<string, any>;
  const nodes = ['kafka', 'kafka-2', 'kafka-3'];
  const props = nodes.map((n) => propertiesOf(svcs[n]));

  it('runs three brokers of the local version, each a controller with its own id, one quorum and one cluster id', () => {
    expect(nodes.map((n) => svcs[n].image)).toEqual(Array(3).fill(`apache/kafka:${KAFKA_VERSION}`));
    expect(props.map((p) => p['node.id'])).toEqual(['1', '2', '3']);
    expect(new Set(nodes.map((n) => svcs[n].environment.CLUSTER_ID)).size).toBe(1);
    const voters = props[0]['controller.quorum.voters'];
    props.forEach((p, i) => {
      expect(p['process.roles']).toBe('broker,controller');
      expect(p['controller.quorum.voters']).toBe(voters);
      expect(voters.split(',')).toContain(`${i + 1}@${listenersOf(p.listeners).CONTROLLER}`);
    });
  });

  it('gives every topic three replicas of which acks=all needs two, the internal topics too, as the local cluster does', () => {
    const r = replicationFor(3);
    for (const p of props) {
      expect(p['default.replication.factor']).toBe(String(r.factor));
      expect(p['min.insync.replicas']).toBe(String(r.minInsync));
      expect(p['offsets.topic.replication.factor']).toBe(String(r.factor));
      expect(p['transaction.state.log.replication.factor']).toBe(String(r.factor));
      expect(p['transaction.state.log.min.isr']).toBe(String(r.minInsync));
    }
  });

  it('differs between brokers only in id and addresses: no setting drifts from one broker to another', () => {
    const own = ['node.id', 'listeners', 'advertised.listeners'];
    const shared = (p: Record<string, string>) => Object.fromEntries(Object.entries(p).filter(([k]) => !own.includes(k)));
    expect(shared(props[1])).toEqual(shared(props[0]));
    expect(shared(props[2])).toEqual(shared(props[0]));
  });

  it('keeps the listeners without a login on kafka-peers, an internal network of the brokers alone; the apps reach SCRAM only', () => {
    expect(cluster.networks['kafka-peers'].internal).toBe(true);
    const onPeers = Object.entries(svcs)
      .filter(([, svc]) => 'kafka-peers' in networksOf(svc))
      .map(([name]) => name);
    expect(onPeers.sort()).toEqual(nodes);
    nodes.forEach((n, i) => {
      const p = props[i];
      const aliases: string[] = networksOf(svcs[n])['kafka-peers'].aliases;
      const protocols = Object.fromEntries(p['listener.security.protocol.map'].split(',').map((x) => x.split(':')));
      for (const [name, address] of Object.entries(listenersOf(p.listeners))) if (protocols[name] !== 'SASL_PLAINTEXT') expect(aliases).toContain(address.split(':')[0]);
      expect(protocols.INTERNAL).toBe('SASL_PLAINTEXT');
      expect(svcs[n].ports).toBeUndefined();
      expect(svcs[n].healthcheck.test[1]).toContain(`--bootstrap-server ${listenersOf(p.listeners)[p['inter.broker.listener.name']]} `);
    });
    expect(svcs['kafka-users'].network_mode).toBe('service:kafka');
    expect(svcs['kafka-users'].command[0]).toContain(`--bootstrap-server ${listenersOf(props[0].listeners).PEER} --alter --entity-type users`);
    for (const app of APPS) expect(Object.keys(networksOf(svcs[app])).sort()).toEqual(['backend', 'default']);
  });

  it.each(APPS)('gives %s every broker to bootstrap from, and starts it after all three are healthy', (app) => {
    const config = loadConfig(app, AppConfig, interpolated(svcs[app].environment, SHELL));
    const internal = props.map((p) => listenersOf(p['advertised.listeners']).INTERNAL);
    expect(config.kafkaBrokers).toEqual(internal);
    for (const n of nodes) expect(svcs[app].depends_on[n].condition).toBe('service_healthy');
    expect(svcs[app].depends_on['kafka-users'].condition).toBe('service_completed_successfully');
  });
});
