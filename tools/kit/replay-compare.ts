import { randomUUID } from 'crypto';
import { maskBodyText } from '../../apps/lgsp/src/journal/masking';
import { bodyShape, BodyShape, compareShapes } from './body-shape';
import { bodyKept, Exchange, headerOf, isMaskedText, Session } from './har-read';

/**
 * Replaying a recorded session, the pure parts: what to send again for each exchange (or why not),
 * and whether the answer kept the recorded one's status, fault type and body shape.
 */

/** Headers not sent again: hop-by-hop ones and those the HTTP client sets itself (PR-REST §4.3's filtered headers). */
export const NOT_RESENT = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'expect',
]);
/** Credentials: the journal masks them in every mode, so a masked one is dropped (and `--api-key` given instead). */
const CREDENTIALS = new Set(['x-api-key', 'authorization', 'cookie']);

export interface ReplayOptions {
  /** scheme://host[:port][/prefix] to send to instead of the recorded host. */
  against?: string;
  /** Sent as X-API-Key on every request, in place of the recorded (masked) one. */
  apiKey?: string;
  /** Keep the recorded X-Road-Id instead of a fresh one. */
  keepIds?: boolean;
  /** A fresh X-Road-Id (injectable for tests). */
  newId?: () => string;
}

export interface OutgoingRequest {
  method: string;
  /** Absolute URL, the target exactly as recorded after the origin. */
  url: string;
  headers: Array<[string, string]>;
  body?: Buffer;
}

export type ReplayPlan = { send: OutgoingRequest; notes: string[] } | { skip: string; notes: string[] };

/** Requests whose credential the journal masked and that `--api-key` would have to replace. */
export function maskedCredentials(session: Session): number[] {
  return session.exchanges
    .filter((e) => e.requestHeaders.some(([n, v]) => CREDENTIALS.has(n.toLowerCase()) && n.toLowerCase() !== 'cookie' && isMaskedText(v)))
    .map((e) => e.index);
}

/** What to send again for an exchange, or why it cannot be sent faithfully. */
export function planReplay(e: Exchange, opts: ReplayOptions = {}): ReplayPlan {
  const notes: string[] = [];
  if (isMaskedText(e.target)) return { skip: 'the journal masked personal data in the URL: sending the masks would not be this request', notes };
  if (e.requestBody && !bodyKept(e.requestBody)) return { skip: `the journal kept no request body (${e.requestBody.comment ?? 'none in the HAR'})`, notes };
  if (e.requestBody?.masked) return { skip: 'the journal masked personal data in the request body: sending the masks would not be this request', notes };
  const headers: Array<[string, string]> = [];
  let idReplaced = false;
  for (const [name, value] of e.requestHeaders) {
    const n = name.toLowerCase();
    if (NOT_RESENT.has(n) || n.startsWith(':')) continue;
    if (CREDENTIALS.has(n) && (isMaskedText(value) || (n === 'x-api-key' && opts.apiKey !== undefined))) {
      if (n === 'authorization' && isMaskedText(value)) notes.push('Authorization is not sent: the journal masked it (it reaches the provider as sent)');
      continue;
    }
    if (n === 'x-road-id' && !opts.keepIds) {
      if (!idReplaced) headers.push([name, (opts.newId ?? randomUUID)()]);
      idReplaced = true;
      continue;
    }
    if ((n === 'x-road-userid' || n === 'x-road-issue') && isMaskedText(value)) notes.push(`${name} is sent masked, as recorded`);
    headers.push([name, value]);
  }
  if (opts.apiKey !== undefined) headers.push(['X-API-Key', opts.apiKey]);
  const injected = headerOf(e.responseHeaders, 'x-emulator-injected');
  if (injected?.startsWith('rule')) notes.push(`the recorded answer was injected by fault ${injected}: the replay gets it only while that rule is live`);
  if (e.noAnswer) notes.push('the client asked for a reset (X-Emulator-Fault: reset): no answer expected');
  const base = (opts.against ?? e.origin).replace(/\/+$/, '');
  const body = e.requestBody && e.requestBody.text !== '' ? Buffer.from(e.requestBody.text!, e.requestBody.encoding === 'base64' ? 'base64' : 'utf8') : undefined;
  return { send: { method: e.method, url: `${base}${e.target}`, headers, ...(body ? { body } : {}) }, notes };
}

/** What came back: an answer, or none (the connection failed or closed, or the time ran out). */
export type LiveAnswer = { status: number; headers: Array<[string, string]>; body: Buffer; timeMs: number } | { error: string; code?: string; timeMs: number };

export type Verdict = 'kept' | 'changed' | 'skipped';

export interface RequestResult {
  index: number;
  method: string;
  target: string;
  client: string;
  service: string;
  verdict: Verdict;
  /** Why it was skipped. */
  reason?: string;
  /** What changed, one line each (status, fault type, body shape). */
  changes: string[];
  notes: string[];
  recorded: { status: number | null; faultType: string | null; shape: BodyShape };
  replayed?: { status: number | null; faultType: string | null; shape?: BodyShape; error?: string; timeMs: number };
  /** Each of the three checks: kept (true), changed (false), or could not be compared (null). */
  checks: { status: boolean | null; faultType: boolean | null; shape: boolean | null };
}

const shapeOf = (text: string | undefined, mimeType: string, encoding?: string) => bodyShape(text, mimeType, encoding);

const display = (s: number | null) => (s === null ? 'no answer' : String(s));

/** The exchange's recorded answer against the one the replay got. */
export function compareAnswer(e: Exchange, live: LiveAnswer, notes: string[] = []): RequestResult {
  const recordedStatus = e.noAnswer ? null : e.status;
  const recordedFault = e.noAnswer ? null : (e.faultType ?? null);
  const rb = e.responseBody;
  const recordedShape = bodyKept(rb) ? shapeOf(rb.text, rb.mimeType, rb.encoding) : { kind: 'unknown' as const, paths: [] };
  const base = { index: e.index, method: e.method, target: e.target, client: e.client, service: e.service, notes: [...notes] };
  const changes: string[] = [];
  if ('error' in live) {
    const statusKept = recordedStatus === null;
    if (!statusKept) changes.push(`status ${display(recordedStatus)} → no answer (${live.error})`);
    return {
      ...base,
      verdict: statusKept ? 'kept' : 'changed',
      changes,
      recorded: { status: recordedStatus, faultType: recordedFault, shape: recordedShape },
      replayed: { status: null, faultType: null, error: live.error, timeMs: live.timeMs },
      checks: { status: statusKept, faultType: statusKept ? true : null, shape: null },
    };
  }
  const liveFault = headerOf(live.headers, 'x-road-error') ?? null;
  const liveType = headerOf(live.headers, 'content-type') ?? '';
  let text: string | undefined = live.body.toString('utf8');
  // The journal masked the recorded answer: the live one is masked alike, so that a masked number reads as the string it became.
  if (rb.comment && /masked/i.test(rb.comment) && text !== '') text = maskBodyText(text, liveType);
  const liveShape = shapeOf(text, liveType);
  const statusKept = recordedStatus === live.status;
  if (!statusKept) changes.push(`status ${display(recordedStatus)} → ${live.status}`);
  const faultKept = recordedFault === liveFault;
  if (!faultKept) changes.push(`fault type ${recordedFault ?? 'none'} → ${liveFault ?? 'none'}`);
  let shapeKept: boolean | null = null;
  if (recordedShape.kind === 'unknown') notes.push(`body shape not compared: the HAR kept no answer body${rb.comment ? ` (${rb.comment})` : ''}`);
  else if (e.method === 'HEAD') notes.push('body shape not compared: HEAD has no body');
  else {
    const d = compareShapes(recordedShape, liveShape);
    shapeKept = d.same;
    if (!d.same) changes.push(`body shape: ${d.summary}`);
  }
  return {
    ...base,
    notes: [...notes],
    verdict: changes.length ? 'changed' : 'kept',
    changes,
    recorded: { status: recordedStatus, faultType: recordedFault, shape: recordedShape },
    replayed: { status: live.status, faultType: liveFault, shape: liveShape, timeMs: live.timeMs },
    checks: { status: statusKept, faultType: faultKept, shape: shapeKept },
  };
}

export function skipped(e: Exchange, reason: string, notes: string[]): RequestResult {
  const rb = e.responseBody;
  return {
    index: e.index,
    method: e.method,
    target: e.target,
    client: e.client,
    service: e.service,
    verdict: 'skipped',
    reason,
    changes: [],
    notes,
    recorded: {
      status: e.noAnswer ? null : e.status,
      faultType: e.faultType ?? null,
      shape: bodyKept(rb) ? shapeOf(rb.text, rb.mimeType, rb.encoding) : { kind: 'unknown', paths: [] },
    },
    checks: { status: null, faultType: null, shape: null },
  };
}

export interface ReplayReport {
  kind: 'replay';
  har: string;
  against: string;
  startedAt: string;
  finishedAt: string;
  options: { keepIds: boolean; apiKey: boolean };
  summary: { requests: number; kept: number; changed: number; skipped: number };
  results: RequestResult[];
}

export function summarise(results: RequestResult[]): ReplayReport['summary'] {
  return {
    requests: results.length,
    kept: results.filter((r) => r.verdict === 'kept').length,
    changed: results.filter((r) => r.verdict === 'changed').length,
    skipped: results.filter((r) => r.verdict === 'skipped').length,
  };
}

/** Exit code: 1 when an answer changed; 0 otherwise (skips are reported, not failures). */
export const replayExitCode = (r: ReplayReport): 0 | 1 => (r.summary.changed > 0 ? 1 : 0);
