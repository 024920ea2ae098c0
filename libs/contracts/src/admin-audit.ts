import { invalid, ok, Parsed } from './identifiers/result';
import { looksLikePlatformKey } from './credentials';
import { checkTyped, FieldKind, readRecord } from './records';

/**
 * The admin audit trail: every admin change (a request to an admin API other
 * than a read), let through or refused, as events on `ndxp.admin-audit`, keyed
 * by its audit id. Who: the credential by the name of its variable (never the
 * token) and the remote address. What: the app, the scope, the method, the
 * path and a summary of the request with its secrets redacted. When: the time
 * the admin guard saw it. The outcome: the status code answered.
 *
 * Schema version 2 adds `count` to the record of refused attempts that stands
 * for several (libs/platform's RefusalWindows); a version 1 record has none,
 * and stands for one request as any record without it.
 */
export const ADMIN_AUDIT_SCHEMA_VERSION = 2;

/** What an admin API changes (libs/platform's AdminScoped marks it). */
export const ADMIN_SCOPES = ['registry', 'faults', 'projection'] as const;
export type AdminScope = (typeof ADMIN_SCOPES)[number];

/** The credential of a request that presented no bearer token, and of one whose token is no admin token. */
export const NO_CREDENTIAL = 'none';
export const UNRECOGNIZED_CREDENTIAL = 'unrecognized';

/** Bounds of what one record carries, so that a request cannot make the trail hold more than a short line. */
export const MAX_SUMMARY_CHARS = 2000;
export const MAX_ROUTE_CHARS = 500;
export const ADMIN_AUDIT_MAX_CHARS = { app: 32, instance: 63, method: 16, route: MAX_ROUTE_CHARS, credential: 64, remoteAddress: 64, summary: MAX_SUMMARY_CHARS } as const;

/** What both events of one admin request say about it: each alone makes a complete row of the trail. */
export interface AdminRequestFacts {
  auditId: string;
  /** Epoch milliseconds the admin guard saw the request. */
  requestedAt: number;
  app: string;
  instance: string;
  scope: AdminScope;
  method: string;
  /** The path requested, without its query (the summary has that). */
  route: string;
  /** ADMIN_TOKEN, FAULTS_ADMIN_TOKEN, PROJECTION_ADMIN_TOKEN, `none` or `unrecognized`: the variable, never its value. */
  credential: string;
  remoteAddress: string;
  /** The credential opened the scope; false is an attempt the guard refused. */
  allowed: boolean;
  /** The query and body as JSON, secrets redacted (auditSummary); '' when the request had neither. */
  summary: string;
}

interface Base {
  /** `<auditId>:<type>` (adminAuditEventId), so a projection can tell a replayed event. */
  eventId: string;
  at: number;
  /** Stamped when written (serializeAdminAuditEvent). */
  schemaVersion?: number;
}

/** Written before an allowed change is applied: the change waits for Kafka's acknowledgement of it. */
export interface AdminChangeRequested extends Base, AdminRequestFacts {
  type: 'AdminChangeRequested';
}

/** Written once the answer is sent: a refused attempt has only this one. */
export interface AdminChangeAnswered extends Base, AdminRequestFacts {
  type: 'AdminChangeAnswered';
  /** The status answered; 499 when the client closed the connection before the answer was out. */
  statusCode: number;
  durationMs: number;
  /**
   * Refused attempts only (schema version 2): how many refusals from this remote address this record stands
   * for, itself the last of them, the others since the address's previous record (at most one per 10 s).
   * Absent: one.
   */
  count?: number;
}

export type AdminAuditEvent = AdminChangeRequested | AdminChangeAnswered;

export function adminAuditEventId(auditId: string, type: AdminAuditEvent['type']): string {
  return `${auditId}:${type}`;
}

const FACTS: Record<keyof AdminRequestFacts, FieldKind> = {
  auditId: 'string',
  requestedAt: 'number',
  app: 'string',
  instance: 'string',
  scope: ADMIN_SCOPES,
  method: 'string',
  route: 'string',
  credential: 'string',
  remoteAddress: 'string',
  allowed: 'boolean',
  summary: 'string',
};

/** Each event type's fields (a new type fails to compile until listed); the AsyncAPI schemas (asyncapi.ts) are built from these. */
export const ADMIN_AUDIT_EVENT_FIELDS: { [T in AdminAuditEvent['type']]: Record<string, FieldKind> } = {
  AdminChangeRequested: FACTS,
  AdminChangeAnswered: { ...FACTS, statusCode: 'number', durationMs: 'number', count: 'number?' },
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Epoch milliseconds a Date (and PostgreSQL's timestamptz) can hold. */
const isTime = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= 8.64e15;

/**
 * Reads one record of `ndxp.admin-audit`. Pure and never throws: the one
 * parser of the topic, so a record it cannot read is skipped with the reason
 * (dead-lettered) rather than stopping the trail; a newer schema version than
 * this reader's is refused.
 */
export function parseAdminAuditEvent(text: string): Parsed<AdminAuditEvent> {
  const r = readRecord(text, ADMIN_AUDIT_SCHEMA_VERSION);
  if (!r.ok) return r;
  const e = r.value.value;
  if (typeof e.eventId !== 'string' || !isTime(e.at)) return invalid('eventId or at is missing or mistyped');
  const bad = checkTyped(e, ADMIN_AUDIT_EVENT_FIELDS) ?? valueProblem(e, r.value.version);
  return bad ? invalid(bad) : ok(e as unknown as AdminAuditEvent);
}

/** What is wrong with the values of a record (of schema version `version`) whose fields have the right types. */
function valueProblem(e: Record<string, unknown>, version: number): string | undefined {
  if (!UUID.test(e.auditId as string)) return 'auditId is not a UUID';
  if (!isTime(e.requestedAt)) return 'requestedAt is not epoch milliseconds';
  const long = Object.entries(ADMIN_AUDIT_MAX_CHARS).find(([name, max]) => (e[name] as string).length > max);
  if (long) return `${long[0]} is longer than ${long[1]} characters`;
  if (e.type !== 'AdminChangeAnswered') return undefined;
  if (!Number.isInteger(e.statusCode) || (e.statusCode as number) < 100 || (e.statusCode as number) > 599) return 'statusCode is not an HTTP status';
  if (!Number.isInteger(e.durationMs) || (e.durationMs as number) < 0 || (e.durationMs as number) > 2 ** 31 - 1) return 'durationMs is not a duration';
  if (e.count === undefined || e.count === null) return undefined;
  if (version < 2) return 'count is not in schema version 1';
  if (e.allowed) return 'count on an allowed change (only refused attempts are counted)';
  if (!Number.isInteger(e.count) || (e.count as number) < 1 || (e.count as number) > 2 ** 31 - 1) return 'count is not a number of requests';
  return undefined;
}

/** The one way an admin audit event goes onto the topic: stamped with the schema version it was written in. */
export function serializeAdminAuditEvent(e: AdminAuditEvent): string {
  return JSON.stringify({ ...e, schemaVersion: ADMIN_AUDIT_SCHEMA_VERSION });
}

export const REDACTED = '[redacted]';
const MAX_STRING = 200;
const MAX_ENTRIES = 20;
const MAX_DEPTH = 4;
/** Field names that hold a secret, compared without case, dashes and underscores (`api_key`, `X-Api-Key`, `clientSecret`). */
const SECRET_NAME = /secret|token|passw|apikey|privatekey|authorization|signature|signingkey|cookie/i;
/** A private key in PEM: a secret whatever its field, as is a platform key (looksLikePlatformKey: a client's `ndxp_…`, an operator's `ndxpop_…`). */
const PRIVATE_KEY_PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/**
 * A request's query and body as the trail keeps them: JSON with every secret
 * redacted (by its field's name or by its look), strings over 200 characters
 * shortened, at most 20 entries per object or array and 4 levels, the whole
 * cut at 2,000 characters (then it ends in `…` and is no longer valid JSON).
 * '' when the request had neither. Pure; never walks more than it keeps, so a
 * deep or wide body costs no more than a small one.
 */
export function auditSummary(request: { query?: unknown; body?: unknown }): string {
  const kept: Record<string, unknown> = {};
  if (!isEmpty(request.query)) kept.query = redacted(request.query, 0);
  if (!isEmpty(request.body)) kept.body = redacted(request.body, 0);
  if (Object.keys(kept).length === 0) return '';
  const text = JSON.stringify(kept);
  return text.length <= MAX_SUMMARY_CHARS ? text : `${text.slice(0, MAX_SUMMARY_CHARS - 1)}…`;
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true;
  return typeof v === 'object' && Object.keys(v).length === 0;
}

function redacted(v: unknown, depth: number): unknown {
  if (typeof v === 'string') return shortened(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return v;
  if (typeof v !== 'object') return null;
  if (depth >= MAX_DEPTH) return '…';
  if (Array.isArray(v)) {
    const items = v.slice(0, MAX_ENTRIES).map((x) => redacted(x, depth + 1));
    return v.length > MAX_ENTRIES ? [...items, `…${v.length - MAX_ENTRIES} more`] : items;
  }
  const names = Object.keys(v);
  const entries = names.slice(0, MAX_ENTRIES).map((k) => [shortened(k), isSecretName(k) ? REDACTED : redacted((v as Record<string, unknown>)[k], depth + 1)]);
  if (names.length > MAX_ENTRIES) entries.push(['…', `${names.length - MAX_ENTRIES} more`]);
  return Object.fromEntries(entries);
}

const isSecretName = (name: string): boolean => SECRET_NAME.test(name.replace(/[-_]/g, ''));

function shortened(s: string): string {
  if (PRIVATE_KEY_PEM.test(s) || looksLikePlatformKey(s)) return REDACTED;
  return s.length <= MAX_STRING ? s : `${s.slice(0, MAX_STRING)}…(${s.length} characters)`;
}
