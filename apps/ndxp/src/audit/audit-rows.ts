import { AdminAuditEvent, withoutNul } from '@ndxp/contracts';

/**
 * One row per admin request, from either of its events (each carries the
 * request's facts); a refused attempt's row may stand for several (its
 * count). The facts are written by the first event to arrive and never
 * changed; the outcome by the first answer. So the row depends on the
 * events only, never on when or how often they are applied: a replay from
 * offset zero gives the same table.
 */
export const AUDIT_UPSERT = `INSERT INTO ndxp.admin_audit AS t
    (audit_id, requested_at, app, instance, scope, method, route, credential, remote_address, allowed, summary, status_code, answered_at, duration_ms, count)
  VALUES ($1, $2::timestamptz, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::timestamptz, $14, $15)
  ON CONFLICT (audit_id) DO UPDATE SET
    status_code = coalesce(t.status_code, excluded.status_code),
    answered_at = coalesce(t.answered_at, excluded.answered_at),
    duration_ms = coalesce(t.duration_ms, excluded.duration_ms),
    count = greatest(t.count, excluded.count)`;

const iso = (ms: number) => new Date(ms).toISOString();

/** AUDIT_UPSERT's parameters for an event; text without NUL, which PostgreSQL refuses. */
export function auditParams(e: AdminAuditEvent): unknown[] {
  const facts = [e.app, e.instance, e.scope, e.method, e.route, e.credential, e.remoteAddress].map(withoutNul);
  const answer = e.type === 'AdminChangeAnswered' ? [e.statusCode, iso(e.at), e.durationMs] : [null, null, null];
  const count = e.type === 'AdminChangeAnswered' ? (e.count ?? 1) : 1;
  return [e.auditId, iso(e.requestedAt), ...facts, e.allowed, withoutNul(e.summary), ...answer, count];
}

export interface AuditRow {
  audit_id: string;
  requested_at: Date;
  app: string;
  instance: string;
  scope: string;
  method: string;
  route: string;
  credential: string;
  remote_address: string;
  allowed: boolean;
  summary: string;
  status_code: number | null;
  answered_at: Date | null;
  duration_ms: number | null;
  /** The requests the row stands for: 1 but for refused attempts from one address recorded together. */
  count: number;
}

/** A row as GET /admin/audit shows it: who, what, when, and the outcome (its status null until recorded; count: the refused attempts it stands for). */
export function auditItem(r: AuditRow) {
  return {
    auditId: r.audit_id,
    when: r.requested_at.toISOString(),
    who: { credential: r.credential, remoteAddress: r.remote_address },
    what: { app: r.app, instance: r.instance, scope: r.scope, method: r.method, route: r.route, summary: r.summary },
    outcome: { allowed: r.allowed, statusCode: r.status_code, answeredAt: r.answered_at?.toISOString() ?? null, durationMs: r.duration_ms, count: r.count },
  };
}

export interface AuditFilter {
  app?: string;
  scope?: string;
  /** A credential's name or a remote address. */
  who?: string;
  /** ISO 8601, inclusive. */
  from?: string;
  /** ISO 8601, exclusive. */
  to?: string;
  limit?: number;
}

export const DEFAULT_AUDIT_LIMIT = 100;

/** The query of a filter: newest first (ties by audit id, so pages are stable). */
export function auditQuery(f: AuditFilter): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replaceAll('?', `$${params.length}`));
  };
  if (f.app) add('app = ?', f.app);
  if (f.scope) add('scope = ?', f.scope);
  if (f.who) add('(credential = ? OR remote_address = ?)', f.who);
  if (f.from) add('requested_at >= ?::timestamptz', f.from);
  if (f.to) add('requested_at < ?::timestamptz', f.to);
  params.push(f.limit ?? DEFAULT_AUDIT_LIMIT);
  const filter = where.length ? `WHERE ${where.join(' AND ')} ` : '';
  return { sql: `SELECT * FROM ndxp.admin_audit ${filter}ORDER BY requested_at DESC, audit_id DESC LIMIT $${params.length}`, params };
}
