import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { parse } from 'yaml';
import { AppConfig, DEFAULT_PORTS, loadConfig } from '@ndxp/platform';
import { KAFKA_VERSION, LOCAL_DEFAULTS } from './infra-plan';
import { APPS } from './stack';
import { repoRoot } from './paths';

// The Docker route cannot run on a machine without a Docker engine, so this
// test keeps it honest another way: it must agree with the local launcher.
const compose = parse(readFileSync(join(repoRoot(), 'docker', 'docker-compose.yml'), 'utf8'), { merge: true });
const services = compose.services as Record<string, any>;
const hostPorts = (svc: any): number[] => (svc.ports ?? []).map((p: string) => Number(String(p).split(':')[0]));

describe('docker/docker-compose.yml', () => {
  it('runs the same Kafka version as the local broker, on the same host port', () => {
    expect(services.kafka.image).toBe(`apache/kafka:${KAFKA_VERSION}`);
    expect(hostPorts(services.kafka)).toContain(LOCAL_DEFAULTS.kafkaPort);
    expect(services.kafka.environment.KAFKA_ADVERTISED_LISTENERS).toContain(`127.0.0.1:${LOCAL_DEFAULTS.kafkaPort}`);
    expect(services.kafka.environment.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe('1');
    expect(services.kafka.environment.KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS).toBe('0');
  });

  it('publishes PostgreSQL on the local port with the project database', () => {
    expect(hostPorts(services.postgres)).toContain(LOCAL_DEFAULTS.postgresPort);
    expect(services.postgres.environment.POSTGRES_DB).toBe(LOCAL_DEFAULTS.database);
  });

  it.each(APPS)('gives %s a valid configuration with the launcher’s port and variable names', (app) => {
    const svc = services[app];
    expect(svc).toBeDefined();
    expect(svc.build.args.APP).toBe(app);
    const env = svc.environment as Record<string, string>;
    // The app's own validation accepts the compose environment as it stands.
    const config = loadConfig(app, AppConfig, env);
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
