import { mkdirSync, writeFileSync } from 'fs';
import { join, resolve } from 'path';
import { DEFAULT_ADMIN_TOKEN } from '@ndxp/platform';
import { PlanError } from '@ndxp/infra';
import { parseClientHeader } from '../../apps/lgsp/src/gateway/xroad-protocol';
import { checkConformance, conformanceExitCode, DEFAULT_SETTINGS, RULES } from '../kit/conformance-rules';
import { HarError, parseHar, readHarFile, Session } from '../kit/har-read';
import { conformanceHtml, conformanceJunit, writeReports } from '../kit/reports';
import { baseUrl, parseArgs, shown, wholeNumber } from './kit-args';

const ruleLines = Object.values(RULES)
  .map((r) => `  ${r.id}  ${r.title}`)
  .join('\n');

export const CONFORMANCE_HELP = `ndxp conformance: check what a connector did against X-Road REST and the services' OpenAPI

Usage:
  npm run ndxp -- conformance <session.har> [--client SUBSYSTEM] [options]
  npm run ndxp -- conformance --client SUBSYSTEM --from GATEWAY_URL [--api-key K] [options]

The first form reads a recorded session (a gateway's GET /journal.har, or any
HAR); --client keeps that client's requests only. The second fetches the
client's journal from the gateway (GATEWAY_URL/journal.har?client=SUBSYSTEM)
with the client's own key (--api-key), or else ADMIN_TOKEN, and keeps a copy
as session.har in the report directory (replay it with 'ndxp replay').

Rules (each with a link to its protocol section in the report):
${ruleLines}

  XRD-001 checks calls of the national-database services (method, the key in
  the path against its pattern, the JSON body against its schema); values the
  journal masked are not checked against patterns. A retry (XRD-004..008) is a
  request with the Idempotency-Key of an earlier one, or the same method,
  target and body as an earlier one that did not succeed, within 60 s.
  Retryable: NetworkError, IOError, 429 RateLimited, a provider's 502/503/504,
  409 and no answer; no other fault, no provider 4xx. A retried POST or PATCH
  needs an Idempotency-Key, the first attempt's. Back-off: at least 100 ms
  after the answer (and any Retry-After), the last gap longer than the first.
  Storm: more than --storm-rps failed requests to one failing service in a
  second. XRD-008: the journal does not record a client hanging up, so only a
  retry sent before the previous answer shows a client timeout; with no
  retries the rule is "not checkable".

Each rule: pass, fail (with the offending entries, #n = the n-th HAR entry),
not applicable (nothing to check), or not checkable (this journal cannot show it).

Options:
  --out DIR          where to write conformance.json, conformance.junit.xml (one
                     testcase per rule) and conformance.html (default ./conformance-report).
  --deadline-ms N    the platform's deadline (EXCHANGE_TIMEOUT_MS; default ${DEFAULT_SETTINGS.deadlineMs}).
  --storm-rps N      failed requests a second to one service that make a storm (default ${DEFAULT_SETTINGS.stormRps}).

Exit code: 0 no rule failed; 1 a rule failed; 2 bad input (no such file, not
a HAR, no exchanges, the gateway refused or did not answer).
`;

const log = (line: string) => process.stdout.write(`${line}\n`);

async function fetchJournal(from: string, client: string, apiKey: string | undefined): Promise<string> {
  const url = `${from}/journal.har?client=${encodeURIComponent(client)}`;
  const headers: Record<string, string> = apiKey ? { 'x-api-key': apiKey } : { authorization: `Bearer ${process.env.ADMIN_TOKEN ?? DEFAULT_ADMIN_TOKEN}` };
  let res: Response;
  try {
    res = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) });
  } catch (e) {
    throw new PlanError(`the gateway at ${from} did not answer (${(e as Error).cause ? String((e as { cause: Error }).cause.message) : (e as Error).message}): is it up?`);
  }
  const text = await res.text();
  if (!res.ok) throw new PlanError(`the gateway refused ${url}: ${res.status} ${text.slice(0, 300)}`);
  return text;
}

/** `ndxp conformance`: the exit code (0 no rule failed, 1 a rule failed); bad input throws a PlanError (exit 2). */
export async function conformanceCommand(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h') || args[0] === 'help') {
    process.stdout.write(CONFORMANCE_HELP);
    return 0;
  }
  const { positional, values } = parseArgs(args, { valued: ['--client', '--from', '--api-key', '--out', '--deadline-ms', '--storm-rps'], flags: [], command: 'conformance' });
  const client = values.get('client');
  if (client !== undefined) {
    const parsed = parseClientHeader(client);
    if (!parsed.ok) throw new PlanError(`--client ${client}: ${parsed.message.replace(/^header X-Road-Client: /, '')}`);
  }
  const settings = {
    deadlineMs: wholeNumber(values.get('deadline-ms'), '--deadline-ms', DEFAULT_SETTINGS.deadlineMs),
    stormRps: wholeNumber(values.get('storm-rps'), '--storm-rps', DEFAULT_SETTINGS.stormRps),
  };
  const out = resolve(values.get('out') ?? 'conformance-report');
  let session: Session;
  let source: string;
  try {
    if (positional.length === 1 && !values.has('from')) {
      source = positional[0];
      session = readHarFile(source);
    } else if (positional.length === 0 && values.has('from')) {
      if (client === undefined) throw new PlanError('--from needs --client SUBSYSTEM: whose journal to fetch');
      const from = baseUrl(values.get('from')!, '--from');
      source = `${from}/journal.har?client=${client}`;
      const text = await fetchJournal(from, client, values.get('api-key'));
      session = parseHar(text);
      mkdirSync(out, { recursive: true });
      writeFileSync(join(out, 'session.har'), text);
    } else throw new PlanError(`conformance needs a HAR file, or --client SUBSYSTEM --from GATEWAY_URL, not both (see 'npm run ndxp -- conformance --help')`);
  } catch (e) {
    if (e instanceof HarError) throw new PlanError(e.message);
    throw e;
  }
  const report = checkConformance(session, { source, client, settings });
  if (report.exchanges === 0)
    throw new PlanError(
      `no exchanges${client ? ` of ${client}` : ''} in ${source}${values.has('from') ? ' (the journal holds the latest exchanges of that gateway process only: is it the one the connector called?)' : ''}`,
    );
  const files = writeReports(out, 'conformance', { json: report, junit: conformanceJunit(report), html: conformanceHtml(report) });
  log(`${report.exchanges} exchange(s) of ${report.clients.join(', ') || 'no client'} from ${source}:`);
  for (const r of report.rules) {
    log(`  ${r.id} ${r.status.toUpperCase().padEnd(14)} ${r.title}`);
    for (const f of r.findings.slice(0, 5)) log(`      ${f.message}`);
    if (r.findings.length > 5) log(`      ... ${r.findings.length - 5} more in the report`);
  }
  const s = report.summary;
  log(`${s.passed} passed, ${s.failed} failed, ${s.notApplicable} not applicable, ${s.notCheckable} not checkable`);
  log(`reports: ${shown(files.html)}, ${shown(files.junit)}, ${shown(files.json)}`);
  return conformanceExitCode(report);
}
