import { randomUUID } from 'crypto';
import { MAX_INJECTED_DELAY_MS, parseInjectedFault, ProviderInjection } from '@ndxp/contracts';

/**
 * Fault rules, the way Toxiproxy names its toxics: a fault aimed at the requests that match (client,
 * service, method, path pattern), with a probability, a count ("the next 3 calls") and a time window.
 * Pure but for the clock, the random source and the ids, all passed in so that tests pin them.
 */
export interface FaultRuleMatch {
  /** The client subsystem, exactly (`VN/GOV/000.00.00.H26/MOTCUA`). */
  client?: string;
  /** The service: its full identifier or its code (`citizen-lookup`). */
  service?: string;
  /** The HTTP method, any case. */
  method?: string;
  /** A glob on the service path after the service code (`/0010*`): `*` any characters, `?` one. */
  path?: string;
}

export interface FaultRuleSpec {
  match: FaultRuleMatch;
  action: ProviderInjection;
  /** The chance a matching call is hit, 0 to 1 (default 1). */
  probability: number;
  /** How many calls are hit, at most; absent: no limit. */
  count?: number;
  /** The window, in ms since the epoch: from inclusive, until exclusive. */
  from?: number;
  until?: number;
}

export interface FaultRule extends FaultRuleSpec {
  id: string;
  createdAt: number;
  /** Calls hit so far. */
  hits: number;
}

/** The most rules kept at once: each request checks them all. */
export const MAX_FAULT_RULES = 1000;

export type RuleParse = { ok: true; spec: FaultRuleSpec } | { ok: false; message: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function instant(v: unknown, name: string): number | string | undefined {
  if (v === undefined) return undefined;
  const ms = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isFinite(ms) ? ms : `${name} must be an ISO 8601 time or milliseconds since the epoch`;
}

/** The action: `{latencyMs, status, timeout}`, or the X-Emulator-Fault grammar limited to what a database does (`latency=800ms;status=503`). */
function action(v: unknown): ProviderInjection | string {
  const only = 'the action is latency, status or timeout (at the national database); fault, reset and slow-body exist only as X-Emulator-Fault';
  let a: ProviderInjection;
  if (typeof v === 'string') {
    const parsed = parseInjectedFault(v);
    if (!parsed.ok) return parsed.message.replace(/^X-Emulator-Fault/, 'action');
    const { fault, reset, slowBodyMs, ...rest } = parsed.value;
    if (fault !== undefined || reset || slowBodyMs !== undefined) return only;
    a = rest;
  } else if (isObject(v)) {
    const extra = Object.keys(v).filter((k) => !['latencyMs', 'status', 'timeout'].includes(k));
    if (extra.length > 0) return `${only}; not ${extra.join(', ')}`;
    const { latencyMs, status, timeout } = v;
    if (latencyMs !== undefined && (!Number.isInteger(latencyMs) || (latencyMs as number) < 0 || (latencyMs as number) > MAX_INJECTED_DELAY_MS))
      return `action.latencyMs must be an integer from 0 to ${MAX_INJECTED_DELAY_MS}`;
    if (status !== undefined && (!Number.isInteger(status) || (status as number) < 200 || (status as number) > 599)) return 'action.status must be an HTTP status from 200 to 599';
    if (timeout !== undefined && typeof timeout !== 'boolean') return 'action.timeout must be true or false';
    if (status !== undefined && timeout === true) return 'action: status and timeout cannot be combined: a request gets one answer';
    a = { ...(latencyMs ? { latencyMs: latencyMs as number } : {}), ...(status !== undefined ? { status: status as number } : {}), ...(timeout ? { timeout: true } : {}) };
  } else return `${only}: give an object {latencyMs, status, timeout} or a text such as "latency=800ms;status=503"`;
  return Object.keys(a).length > 0 ? a : 'the action does nothing: give latencyMs, status or timeout';
}

/** Reads a rule as POSTed. Pure; says what is wrong with one it refuses. */
export function parseFaultRule(body: unknown): RuleParse {
  const bad = (message: string): RuleParse => ({ ok: false, message });
  if (!isObject(body)) return bad('a rule is a JSON object: {match, action, probability?, count?, from?, until?}');
  const unknown = Object.keys(body).filter((k) => !['match', 'action', 'probability', 'count', 'from', 'until'].includes(k));
  if (unknown.length > 0) return bad(`unknown field(s) ${unknown.join(', ')}: a rule has match, action, probability, count, from, until`);
  const m = body.match ?? {};
  if (!isObject(m)) return bad('match is an object: {client?, service?, method?, path?}');
  const matchKeys = Object.keys(m);
  const strange = matchKeys.filter((k) => !['client', 'service', 'method', 'path'].includes(k));
  if (strange.length > 0) return bad(`match has client, service, method and path; not ${strange.join(', ')}`);
  for (const k of matchKeys) if (typeof m[k] !== 'string' || m[k] === '' || (m[k] as string).length > 300) return bad(`match.${k} must be a text of 1 to 300 characters`);
  const a = action(body.action);
  if (typeof a === 'string') return bad(a);
  const probability = body.probability ?? 1;
  if (typeof probability !== 'number' || !(probability >= 0 && probability <= 1)) return bad('probability must be a number from 0 to 1');
  const count = body.count;
  if (count !== undefined && (!Number.isInteger(count) || (count as number) < 1 || (count as number) > 1_000_000)) return bad('count must be an integer from 1 to 1000000');
  const from = instant(body.from, 'from');
  const until = instant(body.until, 'until');
  if (typeof from === 'string') return bad(from);
  if (typeof until === 'string') return bad(until);
  if (from !== undefined && until !== undefined && until <= from) return bad('until must be after from');
  return {
    ok: true,
    spec: {
      match: m as FaultRuleMatch,
      action: a,
      probability,
      ...(count !== undefined ? { count: count as number } : {}),
      ...(from !== undefined ? { from } : {}),
      ...(until !== undefined ? { until } : {}),
    },
  };
}

const globToRegExp = (glob: string): RegExp =>
  new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    's',
  );

/** What a rule is matched against: one request as the provider gets it. */
export interface RuleRequest {
  client: string;
  service: string;
  serviceCode: string;
  method: string;
  path: string;
}

/** Does the rule's match take this request? (The window, count and probability aside.) */
export function matchesRequest(m: FaultRuleMatch, r: RuleRequest): boolean {
  if (m.client !== undefined && m.client !== r.client) return false;
  if (m.service !== undefined && m.service !== r.service && m.service !== r.serviceCode) return false;
  if (m.method !== undefined && m.method.toUpperCase() !== r.method.toUpperCase()) return false;
  return m.path === undefined || globToRegExp(m.path).test(r.path);
}

/** Within its window, with calls left to hit. */
export function isLive(rule: FaultRule, now: number): boolean {
  return (rule.from === undefined || now >= rule.from) && (rule.until === undefined || now < rule.until) && (rule.count === undefined || rule.hits < rule.count);
}

/** The rules in force on one national-database process, in the order they were added: the first that hits wins. */
export class FaultRules {
  private readonly rules: FaultRule[] = [];

  constructor(
    private readonly clock: () => number = Date.now,
    private readonly random: () => number = Math.random,
    private readonly newId: () => string = randomUUID,
  ) {}

  add(spec: FaultRuleSpec): FaultRule | undefined {
    if (this.rules.length >= MAX_FAULT_RULES) return undefined;
    const rule: FaultRule = { ...spec, id: this.newId(), createdAt: this.clock(), hits: 0 };
    this.rules.push(rule);
    return rule;
  }

  /** Each rule with what is left of it, for the admin API. */
  list() {
    const now = this.clock();
    return this.rules.map((r) => ({
      id: r.id,
      match: r.match,
      action: r.action,
      probability: r.probability,
      ...(r.count !== undefined ? { count: r.count, remaining: Math.max(0, r.count - r.hits) } : {}),
      ...(r.from !== undefined ? { from: new Date(r.from).toISOString() } : {}),
      ...(r.until !== undefined ? { until: new Date(r.until).toISOString() } : {}),
      hits: r.hits,
      live: isLive(r, now),
      createdAt: new Date(r.createdAt).toISOString(),
    }));
  }

  delete(id: string): boolean {
    const i = this.rules.findIndex((r) => r.id === id);
    if (i < 0) return false;
    this.rules.splice(i, 1);
    return true;
  }

  clear(): number {
    return this.rules.splice(0).length;
  }

  /** The first live rule that matches and whose probability draws it; that rule counts the hit. */
  decide(r: RuleRequest): { rule: FaultRule; action: ProviderInjection } | undefined {
    if (this.rules.length === 0) return undefined;
    const now = this.clock();
    for (const rule of this.rules) {
      if (!isLive(rule, now) || !matchesRequest(rule.match, r)) continue;
      if (rule.probability < 1 && !(this.random() < rule.probability)) continue;
      rule.hits++;
      return { rule, action: rule.action };
    }
    return undefined;
  }
}
