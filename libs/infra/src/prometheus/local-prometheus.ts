import { ChildProcess, spawn, spawnSync } from 'child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { parse, stringify } from 'yaml';
import { Log } from '../kafka/kafka-jars';
import { portAnswers, waitFor } from '../net';
import { repoRoot } from '../paths';
import { stopProcess } from '../process';

export function prometheusBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const bin = env.PROMETHEUS_BIN || 'prometheus';
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? bin : undefined;
}

export const PROMETHEUS_MISSING =
  "Prometheus is not installed, so the stack runs without it. 'npm run setup' installs Debian's prometheus package (as root); " +
  'or point PROMETHEUS_BIN at a binary; NDXP_PROMETHEUS=0 silences this.';

/**
 * The local route's scrape config: docker/prometheus/prometheus.local.yml with
 * the apps' actual ports and absolute rule paths.
 */
export function localPrometheusConfig(ports: Record<string, number[]>, scrapeInterval?: string): string {
  const dir = join(repoRoot(), 'docker', 'prometheus');
  const cfg = parse(readFileSync(join(dir, 'prometheus.local.yml'), 'utf8'));
  cfg.rule_files = (cfg.rule_files as string[]).map((f) => join(dir, f));
  if (scrapeInterval) {
    cfg.global.scrape_interval = scrapeInterval;
    cfg.global.evaluation_interval = scrapeInterval;
  }
  for (const job of cfg.scrape_configs as Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>) {
    const list = ports[job.job_name];
    if (!list?.length) throw new Error(`prometheus.local.yml scrapes ${job.job_name}, which the stack does not run`);
    job.static_configs = [{ targets: list.map((p) => `127.0.0.1:${p}`) }];
  }
  return stringify(cfg);
}

/** A real Prometheus scraping the local stack, with the project's recording and alert rules. */
export class LocalPrometheus {
  private child: ChildProcess | undefined;

  constructor(private readonly o: { bin: string; dir: string; port: number; targets: Record<string, number[]>; log: Log; scrapeInterval?: string }) {}

  get url(): string {
    return `http://127.0.0.1:${this.o.port}`;
  }

  async start(): Promise<void> {
    if (await portAnswers(this.o.port)) throw new Error(`port ${this.o.port} is in use, so Prometheus cannot listen there: set PROMETHEUS_PORT, or NDXP_PROMETHEUS=0`);
    mkdirSync(join(this.o.dir, 'data'), { recursive: true });
    const config = join(this.o.dir, 'prometheus.yml');
    writeFileSync(config, localPrometheusConfig(this.o.targets, this.o.scrapeInterval));
    const out = createWriteStream(join(this.o.dir, 'prometheus.log'), { flags: 'a' });
    this.child = spawn(
      this.o.bin,
      [`--config.file=${config}`, `--storage.tsdb.path=${join(this.o.dir, 'data')}`, `--web.listen-address=127.0.0.1:${this.o.port}`, '--web.enable-lifecycle'],
      { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    this.child.stdout!.pipe(out);
    this.child.stderr!.pipe(out);
    let exitCode: number | null | undefined;
    this.child.once('exit', (c) => (exitCode = c));
    await waitFor(
      `Prometheus to be ready on ${this.url}`,
      async () => {
        if (exitCode !== undefined) throw new Error(`Prometheus exited during start-up (code ${exitCode}); see ${join(this.o.dir, 'prometheus.log')}`);
        try {
          return (await fetch(`${this.url}/-/ready`)).ok;
        } catch {
          return false;
        }
      },
      30_000,
    );
  }

  async stop(): Promise<void> {
    if (this.child?.pid !== undefined) await stopProcess(this.child.pid, 10_000);
    this.child = undefined;
  }
}
