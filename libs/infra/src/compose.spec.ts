import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { parse } from 'yaml';
import { AppConfig, DEFAULT_PORTS, loadConfig, PUBLIC_DEFAULTS, refuseDefaultSecrets } from '@ndxp/platform';
import { KAFKA_VERSION, LOCAL_DEFAULTS } from './infra-plan';
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
};

describe('docker/docker-compose.yml', () => {
  it('runs the same Kafka version as the local broker', () => {
    expect(services.kafka.image).toBe(`apache/kafka:${KAFKA_VERSION}`);
    expect(services.kafka.environment.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe('1');
    expect(services.kafka.environment.KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS).toBe('0');
  });

  it('runs PostgreSQL with the project database', () => {
    expect(services.postgres.environment.POSTGRES_DB).toBe(LOCAL_DEFAULTS.database);
  });

  it('keeps Kafka and PostgreSQL (no authentication) on an internal network only: no published port, no listener for the host', () => {
    expect(compose.networks.backend.internal).toBe(true);
    for (const name of ['kafka', 'postgres']) {
      expect(services[name].ports).toBeUndefined();
      expect(services[name].network_mode).toBeUndefined();
      expect(services[name].networks).toEqual(['backend']);
    }
    expect(services.kafka.environment.KAFKA_ADVERTISED_LISTENERS).toBe('INTERNAL://kafka:29092');
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
    expect(() => interpolated(services.lgsp.environment, { ADMIN_TOKEN: 'a-private-admin-token' })).toThrow(/set PLATFORM_SIGNING_KEY/);
    expect(services.providers.environment.FAULTS_ADMIN_TOKEN).toBe('${FAULTS_ADMIN_TOKEN:-}');
    expect(services.ndxp.environment.PROJECTION_ADMIN_TOKEN).toBe('${PROJECTION_ADMIN_TOKEN:-}');
    expect(() => interpolated(services.registry.environment, {})).toThrow(/set ADMIN_TOKEN/);
    expect(() => interpolated(services.registry.environment, { ADMIN_TOKEN: 'a-private-admin-token' })).toThrow(/set REGISTRY_SEED_SECRET/);
    // nothing in the file is a public default
    expect(JSON.stringify(compose)).not.toMatch(new RegExp(Object.values(PUBLIC_DEFAULTS).join('|')));
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
    expect(svc.depends_on.kafka.condition).toBe('service_healthy');
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
