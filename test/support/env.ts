import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { freePort } from '@ndxp/infra';

/**
 * An environment for a stack of its own: free ports, a fresh run directory and
 * its own database, so a test never touches a stack the developer has running.
 * KAFKA_BROKERS and DATABASE_URL are removed so the launcher's own route is tested; so are the Kafka client's login settings.
 */
export async function isolatedEnv(name: string): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.KAFKA_BROKERS;
  delete env.DATABASE_URL;
  delete env.NDXP_TESTCONTAINERS;
  // A broker with logins is asked for by the test that wants one (test/middle/kafka-sasl.test.ts), never inherited.
  for (const name of ['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'KAFKA_SSL']) delete env[name];
  return {
    ...env,
    NDXP_RUN_DIR: mkdtempSync(join(tmpdir(), `ndxp-${name}-`)),
    // The pid keeps two test runs on one PostgreSQL (two clones, say) apart.
    NDXP_DATABASE: `ndxp_test_${name.replace(/[^a-z0-9]/g, '_')}_${process.pid}`,
    KAFKA_PORT: String(await freePort()),
    KAFKA_CONTROLLER_PORT: String(await freePort()),
    KAFKA_HEAP: '512m',
    REGISTRY_PORT: String(await freePort()),
    NDXP_PORT: String(await freePort()),
    LGSP_PORT: String(await freePort()),
    PROVIDERS_PORT: String(await freePort()),
    // Only the tests of Prometheus itself start one.
    NDXP_PROMETHEUS: '0',
  };
}
