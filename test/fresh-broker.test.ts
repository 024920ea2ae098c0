import { spawnSync } from 'child_process';
import { join } from 'path';
import { repoRoot } from '@ndxp/infra';
import { isolatedEnv } from './support/env';
import { HANOI, POPULATION, startTestStack, xroad } from './support/stack';

// The database outlives the broker's data (`up --fresh`, or a new broker):
// the registry publishes its whole store again, so access rights are not lost.
describe('a fresh broker under an existing registry', () => {
  it('republishes the registry, and connectors keep their access', async () => {
    const env = await isolatedEnv('fresh');
    const first = spawnSync(process.execPath, [join(repoRoot(), 'dist', 'tools', 'cli', 'main.js'), 'up', '--exit'], { env, encoding: 'utf8', timeout: 120_000 });
    expect(first.status).toBe(0);
    const s = await startTestStack('fresh', {}, { env, args: ['--fresh'] });
    try {
      expect(s.output.join('\n')).toMatch(/the registry topic holds 0 of the store's \d+ events .*: publishing all \d+ again/);
      const [citizen] = (await s.db.query('SELECT personal_id FROM national.citizens LIMIT 1')).rows;
      const r = await xroad(s, HANOI, `${POPULATION}/citizen-lookup`, citizen.personal_id);
      expect(r.status).toBe(200);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });
});
