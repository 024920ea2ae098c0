import { spawnSync } from 'child_process';
import { join } from 'path';
import { repoRoot } from '@ndxp/infra';

// A bad setting stops the app before it touches Kafka or Postgres, with a
// message that names the setting.
describe('app start-up with a bad setting', () => {
  it.each(['registry', 'ndxp', 'lgsp', 'providers'])('%s exits 78 and names the bad variables', (app) => {
    const r = spawnSync(process.execPath, [join(repoRoot(), 'dist', 'apps', app, 'src', 'main.js')], {
      env: { ...process.env, PORT: 'http', KAFKA_BROKERS: 'broker-without-port' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(78);
    expect(r.stderr).toContain(`${app}: invalid configuration`);
    expect(r.stderr).toMatch(/PORT: must be a port number 1-65535 \(got "http"\)/);
    expect(r.stderr).toMatch(/KAFKA_BROKERS: must be a comma-separated list of host:port/);
  });
});
