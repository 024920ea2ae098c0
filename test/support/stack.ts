import { request } from 'http';
import { ChildProcess, spawn } from 'child_process';
import { join } from 'path';
import { createInterface } from 'readline';
import { Client } from 'pg';
import { DEFAULT_ADMIN_TOKEN } from '@ndxp/platform';
import { DEFAULT_SEED_SECRET, seedApiKey } from '@ndxp/contracts';
import { dropDatabase, exited, repoRoot } from '@ndxp/infra';
import { isolatedEnv } from './env';

export const HANOI = 'VN/GOV/000.00.00.H26/MOTCUA';
export const HCMC = 'VN/GOV/000.00.00.H29/MOTCUA';
export const POPULATION = 'VN/GOV/000.00.00.G01/CSDLQGDC';
export const ENTERPRISE = 'VN/GOV/000.00.00.G05/CSDLQGDKDN';
export const INSURANCE = 'VN/GOV/000.00.00.G24/CSDLQGBH';
export const keyOf = (client: string) => seedApiKey(DEFAULT_SEED_SECRET, client);

export interface TestStack {
  env: NodeJS.ProcessEnv;
  url: { registry: string; ndxp: string; lgsp: string; providers: string };
  output: string[];
  db: Client;
  stop(): Promise<number | null>;
}

/** The whole emulator as `npm start` runs it, on ports and a database of its own. */
export async function startTestStack(name: string, extraEnv: Record<string, string> = {}, o: { env?: NodeJS.ProcessEnv; args?: string[] } = {}): Promise<TestStack> {
  const env = o.env ?? { ...(await isolatedEnv(name)), ...extraEnv };
  if (!o.env) await dropDatabase(`postgres://postgres@127.0.0.1:5432/${env.NDXP_DATABASE}`);
  const cli: ChildProcess = spawn(process.execPath, [join(repoRoot(), 'dist', 'tools', 'cli', 'main.js'), 'up', ...(o.args ?? [])], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  await new Promise<void>((resolve, reject) => {
    for (const s of [cli.stdout!, cli.stderr!])
      createInterface({ input: s }).on('line', (l) => {
        output.push(l);
        if (l.includes('press Ctrl-C to stop everything')) resolve();
      });
    cli.once('exit', (code) => reject(new Error(`ndxp up exited with ${code}:\n${output.slice(-40).join('\n')}`)));
  });
  const db = new Client({ connectionString: `postgres://postgres@127.0.0.1:5432/${env.NDXP_DATABASE}` });
  await db.connect();
  return {
    env,
    output,
    db,
    url: {
      registry: `http://127.0.0.1:${env.REGISTRY_PORT}`,
      ndxp: `http://127.0.0.1:${env.NDXP_PORT}`,
      lgsp: `http://127.0.0.1:${env.LGSP_PORT}`,
      providers: `http://127.0.0.1:${env.PROVIDERS_PORT}`,
    },
    async stop() {
      await db.end().catch(() => undefined);
      let code = cli.exitCode;
      if (code === null) {
        cli.kill('SIGINT');
        code = await exited(cli);
      }
      await dropDatabase(`postgres://postgres@127.0.0.1:5432/${env.NDXP_DATABASE}`);
      return code;
    },
  };
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

export async function http(method: string, url: string, opts: { headers?: Record<string, string>; body?: unknown; raw?: string | Buffer } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  let body: string | Buffer | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(20_000) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

/**
 * A GET whose path goes out byte for byte: fetch normalises dot segments (`..`) away, as a browser does,
 * and a connector's bug may not.
 */
export function httpRawPath(base: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : null;
        } catch {
          /* not JSON */
        }
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, [v].flat().join(', '));
        resolve({ status: res.statusCode ?? 0, headers: h, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

export const admin = (stack: TestStack, method: string, url: string, body?: unknown) => http(method, url, { headers: { authorization: `Bearer ${DEFAULT_ADMIN_TOKEN}` }, body });

/** A call through the LGSP in the X-Road REST form. */
export function xroad(
  stack: TestStack,
  client: string,
  service: string,
  path = '',
  opts: { method?: string; key?: string | null; headers?: Record<string, string>; body?: unknown; raw?: string | Buffer } = {},
) {
  const headers: Record<string, string> = { 'X-Road-Client': client, ...(opts.headers ?? {}) };
  const key = opts.key === undefined ? keyOf(client) : opts.key;
  if (key) headers['X-API-Key'] = key;
  return http(opts.method ?? 'GET', `${stack.url.lgsp}/r1/${service}${path ? `/${path}` : ''}`, { headers, body: opts.body, raw: opts.raw });
}

export async function waitUntil<T>(what: string, f: () => Promise<T | undefined | false>, timeoutMs = 15_000, every = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/** Waits until the ledger has projected every event on the topic. */
export async function projected(stack: TestStack): Promise<void> {
  await waitUntil('the ledger to catch up', async () => (await http('GET', `${stack.url.ndxp}/projection/status`)).body.total === 0);
}
