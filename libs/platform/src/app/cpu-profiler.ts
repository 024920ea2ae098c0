import { renameSync, writeFileSync } from 'fs';
import { Session } from 'inspector';
import { join } from 'path';
import { Logger } from '@nestjs/common';

/**
 * With NDXP_CPU_PROFILE_DIR set, SIGUSR2 starts V8's CPU profiler and the next SIGUSR2 stops it and writes
 * `<dir>/<INSTANCE_ID>.cpuprofile` (the format Chrome's DevTools and tools/profile read). A window chosen
 * from outside, so that a benchmark profiles its steady state only: `node --cpu-prof` covers start-up and
 * warm-up too, and writes nothing when Nest ends the process with the signal it received.
 */
export function profileOnSignal(dir = process.env.NDXP_CPU_PROFILE_DIR, name = process.env.INSTANCE_ID ?? String(process.pid)): void {
  if (!dir) return;
  const logger = new Logger('cpu-profile');
  const session = new Session();
  session.connect();
  let running = false;
  const post = (method: string) => new Promise<unknown>((resolve, reject) => session.post(method, (e: Error | null, result?: unknown) => (e ? reject(e) : resolve(result))));
  process.on('SIGUSR2', () => {
    const step = running ? stop() : start();
    step.catch((e: Error) => logger.error(`CPU profile: ${e.message}`));
  });
  const start = async () => {
    await post('Profiler.enable');
    await post('Profiler.start');
    running = true;
    logger.log('CPU profile started (SIGUSR2 again to write it)');
  };
  const stop = async () => {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    running = false;
    const file = join(dir, `${name}.cpuprofile`);
    // Whole or not at all: a reader waits for the file to appear.
    writeFileSync(`${file}.partial`, JSON.stringify(profile));
    renameSync(`${file}.partial`, file);
    logger.log(`CPU profile written: ${file}`);
  };
}
