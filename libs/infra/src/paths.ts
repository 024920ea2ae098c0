import { existsSync } from 'fs';
import { homedir } from 'os';
import { dirname, join, resolve } from 'path';

/** The repository root: the nearest folder up from here that holds infra/kafka/pom.xml. */
export function repoRoot(from = __dirname): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'infra', 'kafka', 'pom.xml'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the repository root (infra/kafka/pom.xml) above ${from}`);
    dir = up;
  }
}

/** Downloads kept between runs, outside the tracked tree (jars are ~46 MB). */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.NDXP_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ndxp-emulator');
}

/** Runtime state of a local stack: broker data, logs, pid files. Git-ignored. */
export function runDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.NDXP_RUN_DIR || join(repoRoot(), '.ndxp');
}
