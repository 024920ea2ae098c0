import { parseAgencyCode } from '@ndxp/contracts';
import { DEFAULT_ADMIN_TOKEN } from '@ndxp/platform';
import { PlanError } from '@ndxp/infra';

export const OPERATOR_HELP = `ndxp operator: keys of an LGSP's operator, who reads that LGSP's exchanges

Usage:
  npm run ndxp -- operator issue <LGSP agency code> [--registry URL]
            Issue a key, e.g. operator issue 000.00.00.H26. It is printed once;
            the registry keeps its hash only.
  npm run ndxp -- operator revoke <LGSP agency code> <key id> [--registry URL]
            Revoke one key (refused on the hub and the gateways within a second).
  npm run ndxp -- operator list <LGSP agency code> [--registry URL]
            The LGSP operator's key ids, revoked ones included.

The registry is at http://127.0.0.1:3001 unless --registry (or REGISTRY_PORT)
says otherwise; the calls carry ADMIN_TOKEN. With the key, in X-API-Key or as
a bearer token, the operator reads the hub's /ledger, /statistics/daily and
/statistics/monthly, and a gateway's /journal, for that LGSP's exchanges only,
personal identifiers masked.
`;

const log = (line: string) => process.stdout.write(`${line}\n`);

function registryUrl(args: string[]): string {
  const i = args.indexOf('--registry');
  if (i < 0) return `http://127.0.0.1:${process.env.REGISTRY_PORT ?? 3001}`;
  const v = args[i + 1];
  if (!v || v.startsWith('--')) throw new PlanError('--registry needs a value');
  return v.replace(/\/$/, '');
}

/** The positional arguments (not --registry and its value); anything else starting with -- is refused. */
function positional(args: string[]): string[] {
  const out = args.filter((a, i) => a !== '--registry' && args[i - 1] !== '--registry');
  const unknown = out.filter((a) => a.startsWith('--'));
  if (unknown.length) throw new PlanError(`unknown option ${unknown.join(' ')} (see 'npm run ndxp -- operator --help')`);
  return out;
}

function lgspOf(code: string | undefined, usage: string): string {
  if (!code) throw new PlanError(`${usage} needs an LGSP's agency code, e.g. 000.00.00.H26`);
  if (!parseAgencyCode(code).ok) throw new PlanError(`${code} is not an agency code of the form 000.00.00.H26`);
  return code;
}

/** One admin call to the registry; a refusal or no answer is a PlanError saying what happened. */
async function registryCall(url: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, unknown>> {
  const token = process.env.ADMIN_TOKEN ?? DEFAULT_ADMIN_TOKEN;
  let res: Response;
  try {
    res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (e) {
    throw new PlanError(`the registry at ${url} did not answer (${(e as Error).message}): is the emulator up ('npm start')?`);
  }
  const text = await res.text();
  if (!res.ok) throw new PlanError(`the registry refused: ${res.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

async function issue(args: string[]): Promise<void> {
  const url = registryUrl(args);
  const lgsp = lgspOf(positional(args)[0], 'operator issue');
  const r = await registryCall(url, 'POST', '/admin/operators', { lgsp });
  log(`issued key ${String(r.keyId)} to the operator of LGSP ${lgsp}; it is shown this once:`);
  log(`  ${String(r.apiKey)}`);
  log("read the LGSP's exchanges with it (personal identifiers masked):");
  log(`  curl -s 'http://127.0.0.1:${process.env.NDXP_PORT ?? 3002}/ledger?pageSize=10' -H 'X-API-Key: <the key>'`);
}

async function revoke(args: string[]): Promise<void> {
  const url = registryUrl(args);
  const [code, keyId] = positional(args);
  const lgsp = lgspOf(code, 'operator revoke');
  if (!keyId || !/^[0-9a-f]{12}$/.test(keyId)) throw new PlanError('operator revoke needs the key id (12 hex digits) after the LGSP code; operator list shows them');
  await registryCall(url, 'POST', '/admin/operators/revoke', { lgsp, keyId });
  log(`revoked key ${keyId} of the operator of LGSP ${lgsp} (refused on the hub and the gateways within a second)`);
}

async function list(args: string[]): Promise<void> {
  const url = registryUrl(args);
  const lgsp = lgspOf(positional(args)[0], 'operator list');
  const r = await registryCall(url, 'GET', `/admin/operators?lgsp=${encodeURIComponent(lgsp)}`);
  const keys = (r.keys ?? []) as Array<{ keyId: string; revoked: boolean }>;
  if (keys.length === 0) log(`the operator of LGSP ${lgsp} has no key`);
  for (const k of keys) log(`${k.keyId}  ${k.revoked ? 'revoked' : 'active'}`);
}

/** `ndxp operator issue|revoke|list`. */
export async function operatorCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (!sub || sub === 'help' || sub === '--help' || sub === '-h' || rest.includes('--help')) return void process.stdout.write(OPERATOR_HELP);
  if (sub === 'issue') return issue(rest);
  if (sub === 'revoke') return revoke(rest);
  if (sub === 'list') return list(rest);
  throw new PlanError(`unknown operator command '${sub}' (see 'npm run ndxp -- operator --help')`);
}
