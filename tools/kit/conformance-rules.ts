import { DEFAULT_DEADLINE_MS, openApiFor, SERVICES } from '@ndxp/contracts';
import { schemaErrors } from '../../libs/contracts/src/openapi-check';
import { parseClientHeader } from '../../apps/lgsp/src/gateway/xroad-protocol';
import { bodyKept, Exchange, headerOf, isMaskedText, Session } from './har-read';
import { Outcome, outcomeOf } from './outcome';

/**
 * The conformance of a connector: what it sent, read from a recorded session, checked against X-Road's
 * message protocol for REST and the services' OpenAPI documents. Pure.
 */

const PR_REST = 'https://docs.x-road.global/Protocols/pr-rest_x-road_message_protocol_for_rest.html';
const IDEMPOTENCY_KEY_DRAFT = 'https://datatracker.ietf.org/doc/draft-ietf-httpapi-idempotency-key-header/';
const RFC9110_RETRY_AFTER = 'https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3';

export type RuleStatus = 'pass' | 'fail' | 'not-applicable' | 'not-checkable';

export interface Finding {
  /** The exchanges at fault, by their position in the HAR (from 1). */
  entries: number[];
  message: string;
}

export interface RuleResult {
  id: string;
  title: string;
  explanation: string;
  link: string;
  status: RuleStatus;
  /** How many exchanges (or retries, or windows) the rule looked at. */
  checked: number;
  findings: Finding[];
  /** What the rule could not see, or why it did not apply. */
  note?: string;
}

export interface ConformanceSettings {
  /** The platform's deadline for one exchange (EXCHANGE_TIMEOUT_MS): a client should wait at least this long. */
  deadlineMs: number;
  /** More failed requests than this to one failing service within one second is a storm. */
  stormRps: number;
  /** The shortest gap before a retry. */
  minBackoffMs: number;
  /** A repeat of a failed request within this long is a retry of it (without an Idempotency-Key to say so). */
  retryWindowMs: number;
}

export const DEFAULT_SETTINGS: ConformanceSettings = { deadlineMs: DEFAULT_DEADLINE_MS, stormRps: 10, minBackoffMs: 100, retryWindowMs: 60_000 };

export interface RuleDef {
  id: string;
  title: string;
  explanation: string;
  link: string;
}

export const RULES = {
  openApi: {
    id: 'XRD-001',
    title: 'requests valid for the service',
    explanation:
      "Each call of a national-database service matches the service's OpenAPI document (getOpenAPI): its method, the form of the key in the path, and the JSON body's schema.",
    link: `${PR_REST}#51-describing-services`,
  },
  clientHeader: {
    id: 'XRD-002',
    title: 'X-Road-Client present and well-formed',
    explanation:
      'X-Road-Client is the one mandatory header of an X-Road REST request: INSTANCE/CLASS/MEMBER[/SUBSYSTEM], each part percent-encoded (optional only in the Vietnamese adapter form).',
    link: `${PR_REST}#41-rest-interface`,
  },
  uniqueId: {
    id: 'XRD-003',
    title: 'X-Road-Id unique per request',
    explanation: 'An X-Road-Id the client sends identifies one message: it is not reused for another request, a retry included (the Idempotency-Key links retries).',
    link: `${PR_REST}#43-use-of-http-headers`,
  },
  retryable: {
    id: 'XRD-004',
    title: 'retries only of retryable failures',
    explanation:
      'A request is sent again only after a failure that may pass: NetworkError, IOError (the deadline), 429 RateLimited, a provider’s 502/503/504, 409, or no answer; never after another X-Road-Error fault or a provider’s own 4xx.',
    link: `${PR_REST}#46-error-handling`,
  },
  idempotencyKey: {
    id: 'XRD-005',
    title: 'retries carry the first attempt’s Idempotency-Key',
    explanation:
      'A retried POST or PATCH (not idempotent, RFC 9110 §9.2.2) carries an Idempotency-Key, and every retry the same key as the first attempt, so that the platform answers it once (X-Road itself does not cache: PR-REST §4.3).',
    link: IDEMPOTENCY_KEY_DRAFT,
  },
  backoff: {
    id: 'XRD-006',
    title: 'back-off between retries',
    explanation:
      'A retry waits after the failed answer: at least the minimum gap and any Retry-After, and the gaps grow (the last gap of a chain of retries is longer than the first; jitter in between is allowed).',
    link: RFC9110_RETRY_AFTER,
  },
  storm: {
    id: 'XRD-007',
    title: 'no retry storm after an outage',
    explanation: 'While a service fails (NetworkError, IOError, 429, 5xx), the client does not send it more than the allowed number of requests in any one second.',
    link: `${PR_REST}#46-error-handling`,
  },
  timeout: {
    id: 'XRD-008',
    title: 'client timeout at least the platform’s deadline',
    explanation:
      'The client waits for the platform’s answer at least as long as the platform’s deadline (it then gets IOError): a request abandoned earlier leaves work running and a retry on top of it.',
    link: `${PR_REST}#46-error-handling`,
  },
} satisfies Record<string, RuleDef>;

const result = (def: RuleDef, checked: number, findings: Finding[], note?: string, none?: RuleStatus): RuleResult => ({
  ...def,
  status: checked === 0 ? (none ?? 'not-applicable') : findings.length ? 'fail' : 'pass',
  checked,
  findings,
  ...(note ? { note } : {}),
});

const byTime = (xs: Exchange[]) => [...xs].sort((a, b) => a.startedAt - b.startedAt || a.index - b.index);
const label = (e: Exchange) => `#${e.index}`;

// ---- XRD-001 ---------------------------------------------------------------------------------------------

/** The service path after the service code, in both forms; undefined when the target is neither. */
export function servicePath(target: string): string | undefined {
  const path = target.split('?')[0];
  const seg = path.split('/').slice(1);
  if (seg[0] === 'r1' && seg.length >= 6) return seg.length > 6 ? `/${seg.slice(6).join('/')}` : '';
  if (seg[0] === 'XrdAdapter' && seg[1] === 'RestService' && seg[2] === 'forward' && seg.length >= 4) return seg.length > 4 ? `/${seg.slice(4).join('/')}` : '';
  return undefined;
}

const decode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** Where a request breaks its service's OpenAPI document; `masked`: parts the journal's masks kept from being checked. */
export function openApiProblems(e: Exchange): { problems: string[]; masked: boolean } | undefined {
  const s = SERVICES.find((x) => x.serviceCode === e.serviceCode);
  const doc = s && openApiFor(s.serviceCode);
  const rest = servicePath(e.target);
  if (!s || !doc || rest === undefined) return undefined;
  const problems: string[] = [];
  let masked = false;
  const [template, item] = Object.entries(doc.paths)[0];
  const method = Object.keys(item).find((k) => k !== 'parameters')!;
  if (e.method.toLowerCase() !== method && e.method !== 'HEAD') problems.push(`${e.method} to ${s.serviceCode}, which takes ${method.toUpperCase()}`);
  // The path: the template's segments against the sent ones, each parameter against its schema.
  const want = template.split('/').slice(1).filter(Boolean);
  const got = rest.split('/').slice(1).filter(Boolean);
  const params = ((item.parameters as Array<{ name: string; schema: unknown }> | undefined) ?? []).filter(Boolean);
  if (want.length !== got.length) problems.push(`path ${rest || '(none)'} after ${s.serviceCode}: ${want.length ? `one segment, ${template}` : 'none'} expected`);
  else
    want.forEach((w, i) => {
      const name = /^\{(.+)\}$/.exec(w)?.[1];
      if (!name) return void (decode(got[i]) !== w && problems.push(`path segment ${got[i]}: ${w} expected`));
      if (isMaskedText(got[i])) return void (masked = true);
      const p = params.find((x) => x.name === name);
      if (p) problems.push(...schemaErrors(doc, p.schema, decode(got[i]), name));
    });
  // The body, where the operation takes one.
  const op = item[method] as { requestBody?: { required?: boolean; content: Record<string, { schema: unknown }> } };
  if (op.requestBody && e.method.toLowerCase() === method) {
    const b = e.requestBody;
    const media = Object.keys(op.requestBody.content)[0];
    const contentType = headerOf(e.requestHeaders, 'content-type') ?? b?.mimeType ?? '';
    if (!b || (b.size ?? b.text?.length ?? 0) === 0) {
      if (op.requestBody.required) problems.push(`no body: ${s.serviceCode} takes ${media}`);
    } else if (!contentType.toLowerCase().startsWith(media)) problems.push(`Content-Type ${contentType || '(none)'}: ${media} expected`);
    else if (bodyKept(b)) {
      let value: unknown;
      try {
        value = JSON.parse(b.text);
      } catch {
        problems.push('the body is not JSON');
      }
      if (value !== undefined) {
        const errors = schemaErrors(doc, op.requestBody.content[media].schema, value, 'body');
        const kept = errors.filter((x) => !isMaskedText(x));
        if (kept.length < errors.length) masked = true;
        problems.push(...kept);
      }
    }
  }
  return { problems, masked };
}

function openApiRule(xs: Exchange[]): RuleResult {
  const findings: Finding[] = [];
  let checked = 0;
  let masked = 0;
  for (const e of xs) {
    const r = openApiProblems(e);
    if (!r) continue;
    checked++;
    if (r.masked) masked++;
    if (r.problems.length) findings.push({ entries: [e.index], message: `${label(e)} ${e.method} ${e.serviceCode}: ${r.problems.join('; ')}` });
  }
  const note = [
    masked ? `${masked} request(s) had values masked by the journal: those values were not checked against their patterns (record with JOURNAL_BODIES=clear to check them)` : '',
    checked < xs.length ? `${xs.length - checked} request(s) were not to a national-database service (metaservices, other services): no OpenAPI document to check against` : '',
  ]
    .filter(Boolean)
    .join('; ');
  return result(RULES.openApi, checked, findings, note || undefined);
}

// ---- XRD-002 ---------------------------------------------------------------------------------------------

function clientHeaderRule(xs: Exchange[]): RuleResult {
  const findings: Finding[] = [];
  let checked = 0;
  for (const e of xs) {
    const rest = e.path.startsWith('/r1/');
    const adapter = e.path.startsWith('/XrdAdapter/');
    if (!rest && !adapter) continue;
    checked++;
    const raw = headerOf(e.requestHeaders, 'x-road-client');
    if (raw === undefined || raw === '') {
      if (rest) findings.push({ entries: [e.index], message: `${label(e)} ${e.method} ${e.path}: no X-Road-Client` });
      continue;
    }
    const parsed = parseClientHeader(raw);
    if (!parsed.ok) findings.push({ entries: [e.index], message: `${label(e)}: ${parsed.message}` });
  }
  return result(RULES.clientHeader, checked, findings);
}

// ---- XRD-003 ---------------------------------------------------------------------------------------------

function uniqueIdRule(xs: Exchange[]): RuleResult {
  const seen = new Map<string, Exchange[]>();
  for (const e of xs) if (e.sentXRoadId !== undefined) seen.set(`${e.client}\n${e.sentXRoadId}`, [...(seen.get(`${e.client}\n${e.sentXRoadId}`) ?? []), e]);
  const findings = [...seen.values()]
    .filter((es) => es.length > 1)
    .map((es) => ({ entries: es.map((e) => e.index), message: `X-Road-Id ${es[0].sentXRoadId} sent ${es.length} times: ${es.map(label).join(', ')}` }));
  const checked = [...seen.values()].reduce((n, es) => n + es.length, 0);
  return result(RULES.uniqueId, checked, findings, checked === 0 ? 'no request carried an X-Road-Id (the platform then generates one)' : undefined);
}

// ---- retries ---------------------------------------------------------------------------------------------

/** One operation of a client: its first attempt and the retries of it, in time order. */
export interface RetryChain {
  attempts: Exchange[];
}

const fingerprint = (e: Exchange) => `${e.method} ${e.target}\n${e.requestBody?.text ?? ''}`;
const endOf = (e: Exchange) => e.startedAt + e.timeMs;
/**
 * HAR start times are whole milliseconds and the journal's end is the start plus a fractional duration, so
 * a request sent right after the previous answer can seem to start up to a millisecond before it ended
 * (a fresh-clone run flagged a back-to-back retry storm under XRD-008 for that).
 */
export const CLOCK_SLACK_MS = 2;
/** The client sent `next` before `prev`'s answer went out: it gave up waiting for it. */
const abandoned = (prev: Exchange, next: Exchange) => next.startedAt < endOf(prev) - CLOCK_SLACK_MS;

/**
 * The client's operations: a request with the Idempotency-Key of an earlier one retries it; without one
 * (or with a new one), a request identical to an earlier one (method, target, body) that did not succeed,
 * sent within the retry window, retries it too. An identical request after a success is a new operation.
 */
export function retryChains(xs: Exchange[], settings: Pick<ConformanceSettings, 'retryWindowMs'> = DEFAULT_SETTINGS): RetryChain[] {
  const chains: RetryChain[] = [];
  const open = new Map<string, RetryChain[]>(); // per client
  for (const e of byTime(xs)) {
    const mine = open.get(e.client) ?? [];
    let chain: RetryChain | undefined;
    if (e.idempotencyKey !== undefined) chain = [...mine].reverse().find((c) => c.attempts.some((a) => a.idempotencyKey === e.idempotencyKey));
    if (!chain)
      chain = [...mine].reverse().find((c) => {
        const last = c.attempts.at(-1)!;
        return fingerprint(last) === fingerprint(e) && e.startedAt - last.startedAt <= settings.retryWindowMs && (outcomeOf(last).kind !== 'success' || abandoned(last, e));
      });
    if (chain) chain.attempts.push(e);
    else {
      chain = { attempts: [e] };
      chains.push(chain);
      open.set(e.client, [...mine, chain]);
    }
  }
  return chains;
}

/** What the client saw of an attempt: its outcome, or nothing if it gave up before the answer. */
function seen(prev: Exchange, next: Exchange): Outcome {
  if (abandoned(prev, next))
    return { kind: 'no-answer', retryable: true, label: `no answer yet (given up after ${Math.round(next.startedAt - prev.startedAt)} ms)`, why: 'given up' };
  return outcomeOf(prev);
}

function pairs(chains: RetryChain[]): Array<{ first: Exchange; prev: Exchange; cur: Exchange; n: number }> {
  return chains.flatMap((c) => c.attempts.slice(1).map((cur, i) => ({ first: c.attempts[0], prev: c.attempts[i], cur, n: i + 1 })));
}

function retryableRule(chains: RetryChain[]): RuleResult {
  const ps = pairs(chains);
  const findings: Finding[] = [];
  for (const { prev, cur, n } of ps) {
    const o = seen(prev, cur);
    if (!o.retryable) findings.push({ entries: [prev.index, cur.index], message: `${label(cur)} retries ${label(prev)} (retry ${n}) after ${o.label}: not retryable (${o.why})` });
  }
  return result(RULES.retryable, ps.length, findings, ps.length === 0 ? 'the client retried nothing' : undefined);
}

const NOT_IDEMPOTENT = new Set(['POST', 'PATCH']);

function idempotencyRule(chains: RetryChain[]): RuleResult {
  const retried = chains.filter((c) => c.attempts.length > 1);
  const findings: Finding[] = [];
  for (const c of retried) {
    const [first, ...retries] = c.attempts;
    if (first.idempotencyKey === undefined && retries.every((r) => r.idempotencyKey === undefined)) {
      if (NOT_IDEMPOTENT.has(first.method))
        findings.push({
          entries: c.attempts.map((a) => a.index),
          message: `${first.method} ${label(first)} retried (${retries.map(label).join(', ')}) without an Idempotency-Key`,
        });
      continue;
    }
    for (const r of retries)
      if (r.idempotencyKey !== first.idempotencyKey)
        findings.push({
          entries: [first.index, r.index],
          message: `${label(r)} retries ${label(first)} with Idempotency-Key ${r.idempotencyKey ?? '(none)'}, not the first attempt's ${first.idempotencyKey ?? '(none)'}`,
        });
  }
  return result(
    RULES.idempotencyKey,
    retried.length,
    findings,
    retried.length === 0 ? 'the client retried nothing' : 'a retried GET, PUT or DELETE needs no key (idempotent methods), but keeps one it had',
  );
}

function retryAfterMs(e: Exchange): number | undefined {
  const v = headerOf(e.responseHeaders, 'retry-after');
  if (v === undefined) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - endOf(e));
}

function backoffRule(chains: RetryChain[], s: ConformanceSettings): RuleResult {
  const retried = chains.filter((c) => c.attempts.length > 1);
  const findings: Finding[] = [];
  let unseen = 0;
  for (const c of retried) {
    const gaps: Array<{ gap: number; prev: Exchange; cur: Exchange }> = [];
    for (let i = 1; i < c.attempts.length; i++) {
      const prev = c.attempts[i - 1];
      const cur = c.attempts[i];
      if (abandoned(prev, cur)) {
        unseen++; // when the client gave up is not recorded: its wait is XRD-008's business
        continue;
      }
      const gap = Math.round(cur.startedAt - endOf(prev));
      gaps.push({ gap, prev, cur });
      const ra = retryAfterMs(prev);
      if (ra !== undefined && gap < ra)
        findings.push({ entries: [prev.index, cur.index], message: `${label(cur)} sent ${gap} ms after ${label(prev)}'s answer, which said Retry-After ${ra / 1000} s` });
      else if (gap < s.minBackoffMs)
        findings.push({ entries: [prev.index, cur.index], message: `${label(cur)} sent ${gap} ms after ${label(prev)}'s answer: at least ${s.minBackoffMs} ms expected` });
    }
    if (gaps.length >= 2 && gaps.at(-1)!.gap <= gaps[0].gap)
      findings.push({
        entries: c.attempts.map((a) => a.index),
        message: `retries of ${label(c.attempts[0])} do not back off: gaps ${gaps.map((g) => `${g.gap} ms`).join(', ')} (the last should be longer than the first)`,
      });
  }
  const note = unseen ? `${unseen} retr${unseen === 1 ? 'y was' : 'ies were'} sent before the previous answer: the gap cannot be measured (see XRD-008)` : undefined;
  return result(RULES.backoff, retried.length, findings, retried.length === 0 ? 'the client retried nothing' : note);
}

function stormRule(xs: Exchange[], s: ConformanceSettings): RuleResult {
  const groups = new Map<string, Exchange[]>();
  for (const e of byTime(xs)) {
    const o = outcomeOf(e);
    if (o.kind === 'success' || !o.retryable) continue; // a failure of the service, not of the request
    const k = `${e.client}\n${e.service}`;
    groups.set(k, [...(groups.get(k) ?? []), e]);
  }
  const findings: Finding[] = [];
  let checked = 0;
  for (const fails of groups.values()) {
    checked += fails.length;
    for (let i = 0; i < fails.length;) {
      let j = i;
      while (j + 1 < fails.length && fails[j + 1].startedAt < fails[i].startedAt + 1000) j++;
      const n = j - i + 1;
      if (n > s.stormRps) {
        const w = fails.slice(i, j + 1);
        findings.push({
          entries: w.map((e) => e.index),
          message: `${n} requests to failing ${w[0].service || 'service'} within 1 s from ${new Date(w[0].startedAt).toISOString()} (${label(w[0])}..${label(w.at(-1)!)}): at most ${s.stormRps} expected`,
        });
        i = j + 1;
      } else i++;
    }
  }
  return result(
    RULES.storm,
    checked,
    findings,
    checked === 0 ? 'no service failed in this session' : `counted: answers NetworkError, IOError, 429, 409, 5xx and no answer, per client and service`,
  );
}

function timeoutRule(chains: RetryChain[], s: ConformanceSettings): RuleResult {
  const ps = pairs(chains);
  const findings: Finding[] = [];
  for (const { prev, cur } of ps) {
    if (!abandoned(prev, cur)) continue;
    const waited = Math.round(cur.startedAt - prev.startedAt);
    if (waited < s.deadlineMs)
      findings.push({
        entries: [prev.index, cur.index],
        message: `${label(cur)} retried ${label(prev)} after ${waited} ms, before its answer (${Math.round(prev.timeMs)} ms): the platform's deadline is ${s.deadlineMs} ms`,
      });
  }
  const blind = 'the journal does not record a client that disconnects: a request given up without a retry cannot be seen, only one retried before its answer';
  return result(RULES.timeout, ps.length, findings, ps.length === 0 ? `not checkable from this journal: no retries, and ${blind}` : blind, 'not-checkable');
}

export interface ConformanceReport {
  kind: 'conformance';
  source: string;
  generatedAt: string;
  clients: string[];
  exchanges: number;
  settings: ConformanceSettings;
  summary: { rules: number; passed: number; failed: number; notApplicable: number; notCheckable: number };
  rules: RuleResult[];
}

/** Every rule over a session (optionally one client's exchanges only). */
export function checkConformance(session: Session, opts: { source: string; client?: string; settings?: Partial<ConformanceSettings> }): ConformanceReport {
  const settings = { ...DEFAULT_SETTINGS, ...opts.settings };
  const xs = opts.client === undefined ? session.exchanges : session.exchanges.filter((e) => e.client === opts.client);
  const chains = retryChains(xs, settings);
  const rules = [
    openApiRule(xs),
    clientHeaderRule(xs),
    uniqueIdRule(xs),
    retryableRule(chains),
    idempotencyRule(chains),
    backoffRule(chains, settings),
    stormRule(xs, settings),
    timeoutRule(chains, settings),
  ];
  const count = (st: RuleStatus) => rules.filter((r) => r.status === st).length;
  return {
    kind: 'conformance',
    source: opts.source,
    generatedAt: new Date().toISOString(),
    clients: [...new Set(xs.map((e) => e.client))].sort(),
    exchanges: xs.length,
    settings,
    summary: { rules: rules.length, passed: count('pass'), failed: count('fail'), notApplicable: count('not-applicable'), notCheckable: count('not-checkable') },
    rules,
  };
}

export const conformanceExitCode = (r: ConformanceReport): 0 | 1 => (r.summary.failed > 0 ? 1 : 0);
