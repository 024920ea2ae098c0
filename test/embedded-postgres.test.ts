import { spawn } from 'child_process';
import { join } from 'path';
import { createInterface } from 'readline';
import { Client } from 'pg';
import { exited, freePort, portAnswers, repoRoot } from '@ndxp/infra';
import { isolatedEnv } from './support/env';

// The fallback for machines with no PostgreSQL server: `ndxp infra` with the
// embedded PostgreSQL (forced here, since this machine has a server), driven
// as a user would and stopped with Ctrl-C.
describe('embedded PostgreSQL fallback', () => {
  it('starts a real PostgreSQL with the project database and stops it on Ctrl-C', async () => {
    const env = await isolatedEnv('embedded');
    const port = await freePort();
    Object.assign(env, { NDXP_POSTGRES: 'embedded', EMBEDDED_PG_PORT: String(port) });
    const cli = spawn(process.execPath, [join(repoRoot(), 'dist', 'tools', 'cli', 'main.js'), 'infra'], { env });
    const output: string[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        for (const s of [cli.stdout, cli.stderr])
          createInterface({ input: s }).on('line', (l) => {
            output.push(l);
            if (l.includes('press Ctrl-C to stop')) resolve();
          });
        cli.once('exit', (code) => reject(new Error(`ndxp infra exited with ${code}:\n${output.join('\n')}`)));
      });
      expect(output.join('\n')).toMatch(new RegExp(`starting an embedded PostgreSQL on ${port}`));
      const url = `postgres://postgres:postgres@127.0.0.1:${port}/${env.NDXP_DATABASE}`;
      expect(output.join('\n')).toContain(`DATABASE_URL=${url}`);
      const pg = new Client({ connectionString: url });
      await pg.connect();
      const { rows } = await pg.query(`SELECT current_database() AS db, current_setting('server_version_num')::int AS v`);
      await pg.end();
      expect(rows[0].db).toBe(env.NDXP_DATABASE);
      expect(rows[0].v).toBeGreaterThanOrEqual(150000);
    } finally {
      cli.kill('SIGINT');
      expect(await exited(cli)).toBe(0);
    }
    expect(await portAnswers(port)).toBe(false);
    expect(await portAnswers(Number(env.KAFKA_PORT))).toBe(false);
  });
});
