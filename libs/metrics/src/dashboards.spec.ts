import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';

// Lint of the Grafana dashboards in docker/grafana/dashboards: what an SRE
// needs from every panel, checked on every commit.
const dir = join(__dirname, '..', '..', '..', 'docker', 'grafana', 'dashboards');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
const dashboards = files.map((f) => ({ file: f, d: JSON.parse(readFileSync(join(dir, f), 'utf8')) }));

describe('Grafana dashboards', () => {
  it('are the four expected ones, with stable, unique uids', () => {
    expect(dashboards.map((x) => x.d.uid).sort()).toEqual(['ndxp-kafka', 'ndxp-lgsp', 'ndxp-national', 'ndxp-providers']);
  });

  it.each(dashboards.map((x) => [x.file, x.d]))('%s: every panel has a title, a unit, the datasource variable, and rate() over $__rate_interval', (_f, d) => {
    expect(d.templating.list.find((v: { name: string; type: string }) => v.name === 'datasource' && v.type === 'datasource')).toBeDefined();
    expect(d.panels.length).toBeGreaterThan(0);
    for (const p of d.panels) {
      expect(typeof p.title).toBe('string');
      expect(p.title.length).toBeGreaterThan(3);
      expect(p.fieldConfig?.defaults?.unit).toMatch(/\S/);
      expect(p.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(p.targets.length).toBeGreaterThan(0);
      for (const t of p.targets) {
        expect(t.datasource.uid).toBe('${datasource}');
        // every rate( ... [window]) uses Grafana's rate interval, never a fixed window
        for (const m of String(t.expr).matchAll(/\brate\(([^[]*)\[([^\]]+)\]/g)) expect(`${p.title}: ${m[2]}`).toBe(`${p.title}: $__rate_interval`);
        // no hard-coded series: a templated dashboard filters by its variables
        for (const v of d.templating.list.filter((x: { name: string }) => x.name !== 'datasource')) {
          if (String(t.expr).includes(`${v.name}=`)) expect(t.expr).toContain(`$${v.name}`);
        }
      }
    }
  });

  it('templated views use their variable in every panel that can be filtered', () => {
    const lgsp = dashboards.find((x) => x.d.uid === 'ndxp-lgsp')!.d;
    const filtered = lgsp.panels.filter((p: { targets: Array<{ expr: string }> }) => p.targets.some((t) => t.expr.includes('lgsp=~"$lgsp"')));
    expect(filtered.length).toBeGreaterThanOrEqual(4);
  });
});
