import { spawnSync } from 'child_process';
import { join } from 'path';
import { repoRoot } from '@ndxp/infra';

// The alert and recording rules, checked and unit-tested by the real promtool
// (Debian's prometheus package; `npm run setup` installs it).
describe('Prometheus rules', () => {
  const dir = join(repoRoot(), 'docker', 'prometheus');
  const promtool = (args: string[]) => {
    const r = spawnSync('promtool', args, { cwd: dir, encoding: 'utf8' });
    if (r.error) throw new Error(`promtool is not installed: run 'npm run setup' (${r.error.message})`);
    return r;
  };

  it('pass promtool check rules', () => {
    const r = promtool(['check', 'rules', 'rules/recording.yml', 'rules/alerts.yml']);
    expect(r.stdout + r.stderr).toMatch(/rules\/alerts.yml\s+SUCCESS: 6 rules found/);
    expect(r.status).toBe(0);
  });

  it('pass promtool test rules: each alert fires when it should, and only then', () => {
    const r = promtool(['test', 'rules', 'tests/alerts.test.yml']);
    expect(r.stdout + r.stderr).toMatch(/SUCCESS/);
    expect(r.status).toBe(0);
  });

  it('pass promtool check config for both scrape configs', () => {
    for (const f of ['prometheus.local.yml', 'prometheus.compose.yml']) {
      const r = promtool(['check', 'config', f]);
      expect(`${f}: ${r.status}\n${r.stdout}${r.stderr}`).toMatch(new RegExp(`^${f.replace('.', '\\.')}: 0`));
    }
  });
});
