import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { dropDatabase } from '@ndxp/infra';
import { isolatedEnv } from './support/env';
import { runCli } from './support/cli';

/**
 * Capacity scenarios as an architect runs them: `ndxp scenario FILE` brings
 * the stack up, replays the load and the fault timeline, writes the reports
 * and exits with the SLO's verdict.
 */

function scenarioFile(dir: string, name: string, slo: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    [
      `name: ${name}`,
      'topology: { lgsps: 20 }',
      'load: { rate: 40, profile: flat }',
      'time: { start: "00:00", duration: 20m, compression: 60, warmup: 2s, deadline: 1500 }',
      'faults:',
      '  - { at: "00:06", kind: outage, database: population, for: 6m }',
      `slo: ${slo}`,
      '',
    ].join('\n'),
  );
  return file;
}

describe('capacity scenarios', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ndxp-scenario-'));
  let env: NodeJS.ProcessEnv;
  let report: any;
  let html: string;

  beforeAll(async () => {
    env = await isolatedEnv('scenario');
  });

  afterAll(async () => {
    await dropDatabase(`postgres://postgres@127.0.0.1:5432/${env.NDXP_DATABASE}`);
  });

  it('runs a short scenario: exit 0 when the SLO is met, the ledger agrees, the outage shows in the series and recovers', async () => {
    const r = await runCli(['scenario', scenarioFile(dir, 'outage-met', '{ p99Ms: 3000, errorRatio: 0.6 }'), '--report-dir', join(dir, 'met')], env);
    expect(r.output).toMatch(/SLO\s+met/);
    expect(r.code).toBe(0);
    const files = readdirSync(join(dir, 'met'));
    report = JSON.parse(
      readFileSync(
        join(
          dir,
          'met',
          files.find((f) => f.endsWith('.json'))!,
        ),
        'utf8',
      ),
    );
    html = join(
      dir,
      'met',
      files.find((f) => f.endsWith('.html'))!,
    );
    expect(r.output).toContain(`report: ${html}`);

    // No request lost, none counted twice: every request that reached a gateway is one ledger row.
    expect(report.ledger.rows).toBe(report.ledger.expected);
    expect(report.ledger.match).toBe(true);
    expect(report.totals.sent).toBe(report.totals.completed);
    expect(report.totals.offered).toBeGreaterThan(700);

    // The fault timeline in the series: errors in the outage window (simulated 00:06-00:12), none well after it.
    const errorsAt = (from: string, to: string) =>
      report.series
        .filter((p: { sim: string }) => p.sim >= from && p.sim < to)
        .reduce((n: number, p: { errorsByType: Record<string, number> }) => n + (p.errorsByType['Server.ServerProxy.NetworkError'] ?? 0), 0);
    expect(errorsAt('00:07', '00:11')).toBeGreaterThan(20);
    expect(errorsAt('00:00', '00:05')).toBe(0);
    expect(errorsAt('00:14', '00:20')).toBe(0);
    expect(report.faults.map((f: { at: string; kind: string }) => `${f.at} ${f.kind}`)).toEqual(['00:06 outage', '00:12 cleared']);
    for (const p of report.series) {
      expect(p.offeredRate).toBeGreaterThan(0);
      expect(Object.keys(p.processes)).toEqual(expect.arrayContaining(['kafka', 'ndxp-1', 'lgsp-1', 'providers-1']));
    }
  });

  it('exits 3 when the SLO is missed, and says where it breaks', async () => {
    // The error ratio is what breaks here, at the outage. A 250 ms p99 also "broke" at 00:01 in some runs (the
    // first seconds after a start run cold on this 2-core machine), which is true but not what this case checks.
    const r = await runCli(['scenario', scenarioFile(dir, 'outage-missed', '{ p99Ms: 3000, errorRatio: 0.01 }'), '--report-dir', join(dir, 'missed')], env);
    expect(r.code).toBe(3);
    expect(r.output).toMatch(/SLO\s+MISSED/);
    // A request is counted in the minute it was sent: one sent in the last instant of 00:05 meets the outage of 00:06.
    expect(r.output).toMatch(/where it breaks\s+simulated 00:0[5-8], at \d+ requests\/s offered/);
  });

  it('find-capacity ramps the rate step by step and reports the knee', async () => {
    const file = scenarioFile(dir, 'ramp', '{ p99Ms: 3000, errorRatio: 0.05 }');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/faults:\n.*\n/, ''));
    const r = await runCli(['scenario', file, '--find-capacity', '--start-rate', '20', '--step-seconds', '3', '--max-steps', '3', '--report-dir', join(dir, 'ramp')], env);
    expect(r.code).toBe(0);
    const json = readdirSync(join(dir, 'ramp')).find((f) => f.endsWith('.json'))!;
    const ramp = JSON.parse(readFileSync(join(dir, 'ramp', json), 'utf8'));
    expect(ramp.mode).toBe('find-capacity');
    expect(ramp.capacity.steps.map((x: { rate: number }) => Math.round(x.rate))).toEqual([20, 30, 45]);
    expect(ramp.capacity.steps.every((x: { ok: boolean }) => x.ok)).toBe(true);
    expect(ramp.capacity.kneeRate).toBe(45);
    expect(r.output).toMatch(/capacity \(knee\)\s+45 requests\/s meeting the SLO/);
  });

  // A broker restart is a fault kind too, but recovery from it is not reliable yet (one CI run in three
  // stalled until the end): it is left to manual runs and the README says so.
  it('survives a gateway process killed and restarted: nothing lost, and it recovers', async () => {
    const file = join(dir, 'restarts.yaml');
    writeFileSync(
      file,
      [
        'name: restarts',
        'topology: { lgsps: all, lgspProcesses: 2 }',
        'load: { rate: 20, profile: flat }',
        'time: { start: "00:00", duration: 25m, compression: 60, warmup: 2s }',
        'faults:',
        '  - { at: "00:05", kind: lgsp-restart, process: 2 }',
        'slo: { p99Ms: 10000, errorRatio: 0.9 }',
        '',
      ].join('\n'),
    );
    const r = await runCli(['scenario', file, '--report-dir', join(dir, 'restarts')], env);
    expect(r.code).toBe(0);
    const json = readdirSync(join(dir, 'restarts')).find((f) => f.endsWith('.json'))!;
    const rep = JSON.parse(readFileSync(join(dir, 'restarts', json), 'utf8'));
    expect(rep.faults.map((f: { kind: string }) => f.kind)).toEqual(['lgsp-restart']);
    // None lost, none counted twice.
    expect(rep.ledger.match).toBe(true);
    // Recovered: the last ten simulated minutes answer everything.
    const tail = rep.series.filter((p: { sim: string }) => p.sim >= '00:15');
    expect(tail.length).toBeGreaterThan(5);
    for (const p of tail) expect(p.errorsByType).toEqual({});
  });

  it('names the line of a mistake in a scenario file, and exits 2', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: bad\nload:\n  rate: fast\n');
    const r = await runCli(['scenario', bad], env);
    expect(r.code).toBe(2);
    expect(r.output).toContain(`${bad}:3: load.rate must be a number`);
  });

  it('renders the HTML report in headless Chromium without console errors, charts drawn', () => {
    expect(existsSync(html)).toBe(true);
    const page = readFileSync(html, 'utf8');
    expect(page).not.toMatch(/<(script|link|img)[^>]+(src|href)=["']https?:/); // opens with no network
    expect((page.match(/<svg /g) ?? []).length).toBe(6);
    expect((page.match(/<polyline /g) ?? []).length).toBeGreaterThanOrEqual(12);
    const shot = join(dir, 'report.png');
    const r = spawnSync(
      'chromium',
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${mkdtempSync(join(tmpdir(), 'chromium-'))}`,
        '--enable-logging=stderr',
        '--v=0',
        '--window-size=1000,2600',
        `--screenshot=${shot}`,
        `file://${html}`,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (r.error) throw new Error(`chromium is not installed: run 'npm run setup' (${r.error.message})`);
    expect(r.stderr).not.toMatch(/CONSOLE\(\d+\)|Uncaught/);
    expect(statSync(shot).size).toBeGreaterThan(50_000); // a blank page is a few kB
  });
});
