import { resolve } from 'path';
import { parseSubsystemId, PROVIDERS } from '@ndxp/contracts';
import { DEFAULT_ADMIN_TOKEN } from '@ndxp/platform';
import { PlanError } from '@ndxp/infra';
import { initTlsDir, issueClientInDir, tlsFiles } from '@ndxp/infra/tls';

export const TLS_HELP = `ndxp tls: a local certificate authority for the LGSP gateway's mutual TLS

Usage:
  npm run ndxp -- tls init [--dir DIR] [--force]
            Create a CA (ca.crt, ca.key) and the gateway's server certificate for
            localhost and 127.0.0.1 (server.crt, server.key) in DIR (.ndxp/tls).
            An existing CA is kept (the server certificate is renewed) unless --force.
  npm run ndxp -- tls issue <client subsystem> [--dir DIR] [--days N] [--register [--registry URL]]
            Issue a client certificate signed by the CA for an information system,
            e.g. tls issue VN/GOV/000.00.00.H26/MOTCUA, into DIR/clients. With
            --register, register it for the subsystem in the registry
            (POST /admin/certificates, ADMIN_TOKEN; URL http://127.0.0.1:3001).

The gateway takes HTTPS on its own port beside HTTP when started with
  LGSP_TLS_CERT=DIR/server.crt LGSP_TLS_KEY=DIR/server.key LGSP_TLS_CA=DIR/ca.crt
and a registered client certificate then authenticates a call without X-API-Key.
LGSP_TLS_REQUIRE_CERT=true makes it the only way in (X-Road's connection type HTTPS).
`;

const log = (line: string) => process.stdout.write(`${line}\n`);

function value(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (!v || v.startsWith('--')) throw new PlanError(`--${name} needs a value`);
  return v;
}

function refuseUnknown(args: string[], flags: string[], valued: string[]): void {
  const unknown = args.filter((a, i) => a.startsWith('--') && !flags.includes(a) && !valued.includes(a) && !valued.includes(args[i - 1]));
  if (unknown.length) throw new PlanError(`unknown option ${unknown.join(' ')} (see 'npm run ndxp -- tls --help')`);
}

/** The shell-relative form of a path under the current directory, for the lines a user copies. */
const shown = (path: string) => (path.startsWith(`${process.cwd()}/`) ? path.slice(process.cwd().length + 1) : path);

async function init(args: string[]): Promise<void> {
  refuseUnknown(args, ['--force'], ['--dir']);
  const dir = resolve(value(args, 'dir') ?? '.ndxp/tls');
  const r = await initTlsDir(dir, { force: args.includes('--force') });
  const f = tlsFiles(dir);
  log(`${r.created ? 'created a CA' : 'kept the CA'} in ${shown(dir)} (SHA-256 ${r.ca.fingerprint}) and issued the gateway's server certificate for localhost, 127.0.0.1`);
  log('next:');
  log(`  LGSP_TLS_CERT=${shown(f.serverCert)} LGSP_TLS_KEY=${shown(f.serverKey)} LGSP_TLS_CA=${shown(f.caCert)} npm start`);
  log(`  npm run ndxp -- tls issue VN/GOV/000.00.00.H26/MOTCUA --register${value(args, 'dir') ? ` --dir ${value(args, 'dir')}` : ''}`);
}

async function register(url: string, client: string, certificatePem: string): Promise<string> {
  const token = process.env.ADMIN_TOKEN ?? DEFAULT_ADMIN_TOKEN;
  let res: Response;
  try {
    res = await fetch(`${url.replace(/\/$/, '')}/admin/certificates`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ client, certificatePem }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (e) {
    throw new PlanError(
      `the registry at ${url} did not answer (${(e as Error).message}): is the emulator up ('npm start')? The certificate is written; register it later with --register`,
    );
  }
  const text = await res.text();
  if (!res.ok) throw new PlanError(`the registry refused the certificate: ${res.status} ${text.slice(0, 500)}`);
  return text;
}

async function issue(args: string[]): Promise<void> {
  refuseUnknown(args, ['--register'], ['--dir', '--days', '--registry']);
  const subsystem = args[0] && !args[0].startsWith('--') ? args[0] : undefined;
  if (!subsystem) throw new PlanError('tls issue needs a client subsystem, e.g. tls issue VN/GOV/000.00.00.H26/MOTCUA');
  const id = parseSubsystemId(subsystem);
  if (!id.ok) throw new PlanError(`${subsystem} is not a subsystem id INSTANCE/CLASS/MEMBER/SUBSYSTEM: ${id.reason}`);
  const daysText = value(args, 'days');
  const days = daysText === undefined ? 365 : Number(daysText);
  if (!Number.isInteger(days) || days < 1 || days > 3650) throw new PlanError(`--days must be a whole number of days, 1-3650 (got "${daysText}")`);
  const dir = resolve(value(args, 'dir') ?? '.ndxp/tls');
  let issued: Awaited<ReturnType<typeof issueClientInDir>>;
  try {
    issued = await issueClientInDir(dir, subsystem, { days });
  } catch (e) {
    throw new PlanError((e as Error).message);
  }
  log(`issued ${shown(issued.certFile)} (key ${shown(issued.keyFile)}) for ${subsystem}, valid ${days} days`);
  log(`  SHA-256 fingerprint ${issued.fingerprint}`);
  const registryUrl = value(args, 'registry') ?? `http://127.0.0.1:${process.env.REGISTRY_PORT ?? 3001}`;
  if (args.includes('--register')) {
    await register(registryUrl, subsystem, issued.certPem);
    log(`registered for ${subsystem} at ${registryUrl} (effective on every gateway within a second)`);
  } else {
    log('not registered yet; either run again with --register, or:');
    log(`  curl -s -XPOST ${registryUrl}/admin/certificates -H "Authorization: Bearer \${ADMIN_TOKEN:-${DEFAULT_ADMIN_TOKEN}}" \\`);
    log(`    -H 'content-type: application/json' -d "{\\"client\\":\\"${subsystem}\\",\\"certificatePem\\":$(jq -Rs . < ${shown(issued.certFile)})}"`);
  }
  const lgsp = process.env.LGSP_PORT ?? '3003';
  log('call a service over HTTPS with it (the gateway started with the LGSP_TLS_ files; no X-API-Key):');
  log(
    `  curl -s https://127.0.0.1:${lgsp}/r1/${PROVIDERS.population.subsystem}/citizen-lookup/{personal ID} -H 'X-Road-Client: ${subsystem}' ` +
      `--cert ${shown(issued.certFile)} --key ${shown(issued.keyFile)} --cacert ${shown(tlsFiles(dir).caCert)}`,
  );
}

/** `ndxp tls init|issue`. */
export async function tlsCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (!sub || sub === 'help' || sub === '--help' || sub === '-h' || rest.includes('--help')) return void process.stdout.write(TLS_HELP);
  if (sub === 'init') return init(rest);
  if (sub === 'issue') return issue(rest);
  throw new PlanError(`unknown tls command '${sub}' (see 'npm run ndxp -- tls --help')`);
}
