import { resolve } from 'path';
import { PlanError } from '@ndxp/infra';
import { HarError, readHarFile } from '../kit/har-read';
import { maskedCredentials, replayExitCode, RequestResult } from '../kit/replay-compare';
import { replaySession, Sender } from '../kit/replay-send';
import { replayHtml, replayJunit, writeReports } from '../kit/reports';
import { baseUrl, parseArgs, shown } from './kit-args';

export const REPLAY_HELP = `ndxp replay: send a recorded session again and report what changed

Usage:
  npm run ndxp -- replay <session.har> [--against URL] [--out DIR] [--api-key K] [--keep-ids]

Record a session from a gateway's request journal (JOURNAL_BODIES=clear on the
gateway, so that personal data is not masked in what you replay):
  curl -s 'http://127.0.0.1:3003/journal.har?client=VN/GOV/000.00.00.H26/MOTCUA' \\
    -H "Authorization: Bearer \${ADMIN_TOKEN:-ndxp-admin-dev-token}" > session.har

Each request is sent again, one after another in the HAR's order: the same
method, path and raw query (byte for byte: no URL normalisation), body and
headers, except the hop-by-hop ones, Host and Content-Length. X-Road-Id gets a
fresh value (where the request had one) unless --keep-ids; Idempotency-Key and
X-Emulator-Fault are kept, so injected faults are asked for again.

For each request the report says whether the answer KEPT:
  status       the HTTP status (or no answer, for X-Emulator-Fault: reset)
  fault type   the X-Road-Error header (absent: the provider answered)
  body shape   the JSON key paths and value types, not the values
Answers that differ only in values (another transaction id, another
message text) are kept.

Options:
  --against URL  send to this gateway (http(s)://host:port[/prefix]) instead of
                 the host recorded in the HAR.
  --out DIR      where to write replay.json, replay.junit.xml (one testcase per
                 request; a CI gates on it) and replay.html (default ./replay-report).
  --api-key K    send X-API-Key: K on every request. The journal masks every
                 credential, so a session recorded with X-API-Key needs this
                 (npm run ndxp -- dev-key <client subsystem> prints a seeded one).
  --keep-ids     send the recorded X-Road-Id values again.

Masked requests are SKIPPED, with the reason: the journal masks personal data
by default (JOURNAL_BODIES=masked), and a request whose URL or body holds masks
(*********483) would send the masks, not the request. X-Road-UserId and
X-Road-Issue, if masked, are sent masked (the provider does not act on them).
An answer masked in the HAR is compared with the live answer masked alike.
Answers injected by a fault rule come back only while that rule is live.

Exit code: 0 every replayed answer kept; 1 any changed; 2 bad input (no such
file, not a HAR, masked credentials without --api-key, nothing answered at
the gateway, every request skipped).
`;

const log = (line: string) => process.stdout.write(`${line}\n`);

const line = (r: RequestResult) =>
  `  #${r.index} ${r.method} ${r.target.slice(0, 120)}: ${r.verdict}${r.verdict === 'changed' ? ` (${r.changes.join('; ')})` : r.verdict === 'skipped' ? ` (${r.reason})` : ''}`;

/** `ndxp replay`: the exit code (0 kept, 1 changed); bad input throws a PlanError (exit 2). */
export async function replayCommand(args: string[], deps: { send?: Sender } = {}): Promise<number> {
  if (args.includes('--help') || args.includes('-h') || args[0] === 'help') {
    process.stdout.write(REPLAY_HELP);
    return 0;
  }
  const { positional, values, flags } = parseArgs(args, { valued: ['--against', '--out', '--api-key'], flags: ['--keep-ids'], command: 'replay' });
  if (positional.length !== 1) throw new PlanError(`replay needs one HAR file, e.g. replay session.har (see 'npm run ndxp -- replay --help')`);
  const harPath = positional[0];
  const against = values.has('against') ? baseUrl(values.get('against')!, '--against') : undefined;
  const apiKey = values.get('api-key');
  let session;
  try {
    session = readHarFile(harPath);
  } catch (e) {
    if (e instanceof HarError) throw new PlanError(e.message);
    throw e;
  }
  if (session.exchanges.length === 0) throw new PlanError(`${harPath} holds no requests to replay`);
  const masked = maskedCredentials(session);
  if (masked.length && apiKey === undefined)
    throw new PlanError(
      `the journal masked the credential of ${masked.length} request(s) (#${masked.slice(0, 5).join(', #')}${masked.length > 5 ? ', ...' : ''}): ` +
        `give the client's key with --api-key K (npm run ndxp -- dev-key <client subsystem> prints a seeded one)`,
    );
  log(`replaying ${session.exchanges.length} request(s) of ${harPath} against ${against ?? 'the recorded host'} ...`);
  const report = await replaySession(session, {
    har: harPath,
    against,
    apiKey,
    keepIds: flags.has('keep-ids'),
    send: deps.send,
    onResult: (r) => r.verdict !== 'kept' && log(line(r)),
  });
  const { unreachable, ...json } = report;
  const out = resolve(values.get('out') ?? 'replay-report');
  const files = writeReports(out, 'replay', { json, junit: replayJunit(report), html: replayHtml(report) });
  const s = report.summary;
  log(`${s.requests} request(s): ${s.kept} kept, ${s.changed} changed, ${s.skipped} skipped`);
  log(`reports: ${shown(files.html)}, ${shown(files.junit)}, ${shown(files.json)}`);
  const sent = s.requests - s.skipped;
  if (sent > 0 && unreachable === sent) throw new PlanError(`nothing answered at ${against ?? 'the recorded host'}: is the gateway up? (every request failed to connect)`);
  if (sent === 0) throw new PlanError(`every request was skipped (masked by the journal): record the session with JOURNAL_BODIES=clear on the gateway`);
  return replayExitCode(report);
}
