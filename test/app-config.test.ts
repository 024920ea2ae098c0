import { spawnSync } from 'child_process';
import { join } from 'path';
import { repoRoot } from '@ndxp/infra';

const APPS = ['registry', 'ndxp', 'lgsp', 'providers'];
const start = (app: string, env: NodeJS.ProcessEnv) =>
  spawnSync(process.execPath, [join(repoRoot(), 'dist', 'apps', app, 'src', 'main.js')], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 30_000 });

// A bad setting stops the app before it touches Kafka or Postgres, with a
// message that names the setting.
describe('app start-up with a bad setting', () => {
  it.each(APPS)('%s exits 78 and names the bad variables', (app) => {
    const r = start(app, { PORT: 'http', KAFKA_BROKERS: 'broker-without-port', XROAD_INSTANCE: 'V N', XROAD_MEMBER_CLASSES: 'GOV,,COM' });
    expect(r.status).toBe(78);
    expect(r.stderr).toContain(`${app}: invalid configuration`);
    expect(r.stderr).toMatch(/PORT: must be a port number 1-65535 \(got "http"\)/);
    expect(r.stderr).toMatch(/KAFKA_BROKERS: must be a comma-separated list of host:port/);
    expect(r.stderr).toMatch(/XROAD_INSTANCE: must be an X-Road instance code/);
    expect(r.stderr).toMatch(/XROAD_MEMBER_CLASSES: must be member class codes separated by commas/);
  });
});

// Outside development mode (a non-loopback bind, or NODE_ENV=production) the
// public development secrets are refused, each named, before anything starts.
describe('app start-up with a public default secret outside development mode', () => {
  const nothingSet = { ADMIN_TOKEN: '', REGISTRY_SEED_SECRET: '', FAULTS_ADMIN_TOKEN: '', PROJECTION_ADMIN_TOKEN: '', PLATFORM_SIGNING_KEY: '', PROVIDER_SIGNING_KEY: '' };
  /** The signing keys each app holds: the gateways and the hub one, the hub and the databases the other. */
  const signingKeys: Record<string, string[]> = {
    registry: [],
    ndxp: ['PLATFORM_SIGNING_KEY', 'PROVIDER_SIGNING_KEY'],
    lgsp: ['PLATFORM_SIGNING_KEY'],
    providers: ['PROVIDER_SIGNING_KEY'],
  };

  it.each(APPS)('%s bound to 0.0.0.0 exits 78 naming ADMIN_TOKEN (and the registry its seed secret)', (app) => {
    const r = start(app, { ...nothingSet, HOST: '0.0.0.0', NODE_ENV: '' });
    expect(r.status).toBe(78);
    expect(r.stderr).toMatch(/ADMIN_TOKEN: is the public development default, refused outside development mode \(HOST=0\.0\.0\.0 is not a loopback address\)/);
    expect(r.stderr).toMatch(/Set a private value, e\.g\. ADMIN_TOKEN=/);
    if (app === 'registry') expect(r.stderr).toMatch(/REGISTRY_SEED_SECRET: is the public development default/);
    else expect(r.stderr).not.toMatch(/REGISTRY_SEED_SECRET/);
    for (const key of ['PLATFORM_SIGNING_KEY', 'PROVIDER_SIGNING_KEY'])
      if (signingKeys[app].includes(key)) expect(r.stderr).toMatch(new RegExp(`${key}: is the public development default`));
      else expect(r.stderr).not.toMatch(new RegExp(key));
  });

  it('with NODE_ENV=production on loopback, the registry with a private admin token still refuses the default seed secret', () => {
    const r = start('registry', { ...nothingSet, HOST: '127.0.0.1', NODE_ENV: 'production', ADMIN_TOKEN: 'a-private-admin-token' });
    expect(r.status).toBe(78);
    expect(r.stderr).toMatch(/REGISTRY_SEED_SECRET: is the public development default, refused outside development mode \(NODE_ENV=production\)/);
    expect(r.stderr).not.toMatch(/ADMIN_TOKEN:/);
  });
});
