import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { parse } from 'yaml';
import { freePort, repoRoot } from '@ndxp/infra';
import { admin, ENTERPRISE, HANOI, HCMC, http, INSURANCE, POPULATION, projected, startTestStack, TestStack, waitUntil, xroad } from './support/stack';

/**
 * SRE view, proven against a real Prometheus: the stack and Prometheus up,
 * traffic with faults, then every PromQL expression of every dashboard panel
 * and every recording rule evaluated through Prometheus' HTTP API.
 */
describe('Prometheus and the dashboards', () => {
  let s: TestStack;
  let prom: string;
  let sent = 0;

  const query = async (q: string) => {
    const r = await http('GET', `${prom}/api/v1/query?query=${encodeURIComponent(q)}`);
    if (r.status !== 200 || r.body.status !== 'success') throw new Error(`query failed: ${q}: ${JSON.stringify(r.body)}`);
    return r.body.data.result as Array<{ metric: Record<string, string>; value: [number, string] }>;
  };

  beforeAll(async () => {
    const port = await freePort();
    s = await startTestStack('prometheus', { NDXP_PROMETHEUS: '1', PROMETHEUS_PORT: String(port), PROMETHEUS_SCRAPE_INTERVAL: '1s', EXCHANGE_TIMEOUT_MS: '1500' });
    prom = `http://127.0.0.1:${port}`;
    expect(s.output.join('\n')).toContain(`Prometheus: ${prom} is up and scrapes every app, the first time within about 5 s`);
  });

  afterAll(async () => {
    if (s) expect(await s.stop()).toBe(0);
  });

  it('counts every request, and every panel and recording rule returns data', async () => {
    const ids = (await s.db.query('SELECT personal_id FROM national.citizens LIMIT 30')).rows.map((r) => r.personal_id);
    const [firm] = (await s.db.query('SELECT code FROM national.enterprises LIMIT 1')).rows;
    const [card] = (await s.db.query('SELECT insurance_number FROM national.insurance_participants LIMIT 1')).rows;
    const call = async (...args: Parameters<typeof xroad>) => {
      sent++;
      return xroad(...args);
    };
    for (const id of ids) await call(s, id.startsWith('0') ? HANOI : HCMC, `${POPULATION}/citizen-lookup`, id);
    await call(s, HCMC, `${ENTERPRISE}/enterprise-lookup`, firm.code);
    await call(s, HANOI, `${POPULATION}/citizen-lookup`, ids[0], { key: null }); // refused at the LGSP
    await call(s, HANOI, `${POPULATION}/no-such-service`, 'x'); // refused at the hub
    await admin(s, 'PUT', `${s.url.providers}/admin/faults/enterprise`, { outage: true });
    await call(s, HCMC, `${ENTERPRISE}/enterprise-lookup`, firm.code); // failed
    await admin(s, 'PUT', `${s.url.providers}/admin/faults/insurance`, { latencyMs: 2500 });
    const late = await call(s, HANOI, `${INSURANCE}/health-insurance-card`, card.insurance_number); // timed out, answered late
    expect([late.status, late.headers.get('x-road-error')]).toEqual([500, 'Server.ServerProxy.IOError']);
    await admin(s, 'PUT', `${s.url.providers}/admin/faults/population`, { latencyMs: 5 }); // stays on: the faults panel must show it
    for (const id of ids.slice(0, 10)) await call(s, HANOI, `${POPULATION}/citizen-lookup`, id);
    await new Promise((r) => setTimeout(r, 3000)); // the late answer arrives
    await projected(s);

    const total = await waitUntil(
      'Prometheus to scrape the last transactions',
      async () => {
        const r = await query('sum(ndxp_transactions_total)');
        return r.length && Number(r[0].value[1]) === sent ? Number(r[0].value[1]) : undefined;
      },
      30_000,
      500,
    );
    expect(total).toBe(sent);
    const { rows } = await s.db.query('SELECT count(*)::int AS n FROM ndxp.transactions');
    expect(rows[0].n).toBe(sent);
    const outcomes = Object.fromEntries((await query('sum by (outcome) (ndxp_transactions_total)')).map((r) => [r.metric.outcome, Number(r.value[1])]));
    expect(outcomes).toEqual({ success: sent - 4, rejected: 2, failed: 1, timeout: 1 });

    // From here on a trickle of lookups keeps the rate windows filled, as live traffic would.
    let trickling = true;
    const trickle = (async () => {
      for (let i = 0; trickling; i++) {
        await xroad(s, HANOI, `${POPULATION}/citizen-lookup`, ids[i % ids.length]);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    // Recording rules are evaluated every 15 s: wait for a round of every group after the traffic.
    const rules = parse(readFileSync(join(repoRoot(), 'docker', 'prometheus', 'rules', 'recording.yml'), 'utf8'));
    const records: string[] = rules.groups.flatMap((g: { rules: Array<{ record: string }> }) => g.rules.map((r) => r.record));
    await waitUntil(
      'every recording rule to have run',
      async () => {
        for (const r of records) if ((await query(r)).length === 0) return false;
        return true;
      },
      45_000,
      1000,
    );

    // Prometheus scrapes its targets first about 5 s after it is ready (its discovery's first update), which can be
    // after the traffic above: the rate windows need several scrapes of the trickle before a panel can show a rate.
    await waitUntil(
      'five scrapes of every app since the trickle began',
      async () => {
        const r = await query('min(count_over_time(up[10s]))');
        return r.length && Number(r[0].value[1]) >= 5 ? true : undefined;
      },
      30_000,
      500,
    );

    const empty: string[] = [];
    const substitute = (e: string) => e.replace(/\$__rate_interval/g, '1m').replace(/\$(lgsp|database|group)\b/g, '.*');
    const dir = join(repoRoot(), 'docker', 'grafana', 'dashboards');
    let checked = 0;
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.json'))) {
      const d = JSON.parse(readFileSync(join(dir, f), 'utf8'));
      for (const p of d.panels)
        for (const t of p.targets) {
          checked++;
          const result = await query(substitute(t.expr));
          if (result.length === 0 || result.every((x) => x.value[1] === 'NaN')) empty.push(`${f} / ${p.title} / ${t.expr}`);
        }
    }
    for (const g of rules.groups)
      for (const r of g.rules) {
        checked++;
        if ((await query(r.expr)).length === 0) empty.push(`recording rule ${r.record}: ${r.expr}`);
        checked++;
        if ((await query(r.record)).length === 0) empty.push(`recorded series ${r.record}`);
      }
    trickling = false;
    await trickle;
    expect(checked).toBeGreaterThan(40);
    expect(empty).toEqual([]);

    const alerts = await http('GET', `${prom}/api/v1/rules?type=alert`);
    expect(alerts.body.data.groups[0].rules.map((r: { name: string }) => r.name)).toHaveLength(6);
  });
});
