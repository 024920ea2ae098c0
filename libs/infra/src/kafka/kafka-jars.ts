import { spawn } from 'child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'fs';
import { join } from 'path';
import { checkMaven } from '../prerequisites';
import { repoRoot } from '../paths';

export type Log = (line: string) => void;

export interface KafkaJars {
  libsDir: string;
  fromCache: boolean;
  jarCount: number;
}

const STAMP = '.complete';

/**
 * Resolves the Kafka broker jars with Maven from infra/kafka/pom.xml and keeps
 * them in the cache. A stamp file marks a complete download, so an interrupted
 * first run is redone rather than half-used.
 */
export async function ensureKafkaJars(version: string, cache: string, log: Log, env = process.env): Promise<KafkaJars> {
  const libsDir = join(cache, `kafka-${version}`, 'libs');
  if (existsSync(join(libsDir, STAMP))) {
    return { libsDir, fromCache: true, jarCount: readdirSync(libsDir).filter((f) => f.endsWith('.jar')).length };
  }
  checkMaven(env);
  const staging = `${libsDir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const pom = join(repoRoot(), 'infra', 'kafka', 'pom.xml');
  log(`resolving Apache Kafka ${version} jars from Maven Central (first run only; about 46 MB) ...`);
  const args = [
    '-B',
    ...(process.stdout.isTTY && !env.CI ? [] : ['--no-transfer-progress']),
    '-f',
    pom,
    `-Dkafka.version=${version}`,
    'dependency:copy-dependencies',
    `-DoutputDirectory=${staging}`,
  ];
  const output: string[] = [];
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn('mvn', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        output.push(line);
        // eslint-disable-next-line no-control-regex -- strips ANSI colour codes (ESC [ ... m)
        if (/Downloaded from|BUILD|ERROR/.test(line)) log(`  mvn: ${line.replace(/\x1b\[[0-9;]*m/g, '').slice(0, 160)}`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('exit', (c) => resolve(c ?? 1));
  });
  if (code !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(
      `Maven could not resolve the Kafka jars (exit ${code}). Last lines:\n${output.slice(-15).join('\n')}\n` +
        `Check that Maven Central is reachable, or set KAFKA_BROKERS to a running broker.`,
    );
  }
  const jars = readdirSync(staging).filter((f) => f.endsWith('.jar'));
  if (!jars.some((j) => j.startsWith(`kafka_2.13-${version}`))) throw new Error(`Maven finished but kafka_2.13-${version}.jar is not among the ${jars.length} jars in ${staging}`);
  writeFileSync(join(staging, STAMP), new Date().toISOString());
  rmSync(libsDir, { recursive: true, force: true });
  mkdirSync(join(libsDir, '..'), { recursive: true });
  renameSync(staging, libsDir);
  return { libsDir, fromCache: false, jarCount: jars.length };
}
