import { AdminChangeAnswered, AdminChangeRequested } from '@ndxp/contracts';
import { auditItem, auditParams, auditQuery, AuditRow } from './audit-rows';

const auditId = '33333333-3333-4333-8333-333333333333';
const facts = {
  auditId,
  requestedAt: Date.parse('2026-11-23T01:02:03.004Z'),
  app: 'registry',
  instance: 'registry-1',
  scope: 'registry' as const,
  method: 'POST',
  route: '/admin/grants',
  credential: 'ADMIN_TOKEN',
  remoteAddress: '10.0.0.7',
  allowed: true,
  summary: '{"body":{"client":"c\u0000"}}',
};
const requested: AdminChangeRequested = { type: 'AdminChangeRequested', eventId: `${auditId}:AdminChangeRequested`, at: facts.requestedAt, ...facts };
const answered: AdminChangeAnswered = {
  ...requested,
  type: 'AdminChangeAnswered',
  eventId: `${auditId}:AdminChangeAnswered`,
  at: facts.requestedAt + 25,
  statusCode: 201,
  durationMs: 25,
};

describe('admin audit rows', () => {
  it('given the intent, when projected, then the facts and no outcome; NUL replaced, times as ISO', () => {
    expect(auditParams(requested)).toEqual([
      auditId,
      '2026-11-23T01:02:03.004Z',
      'registry',
      'registry-1',
      'registry',
      'POST',
      '/admin/grants',
      'ADMIN_TOKEN',
      '10.0.0.7',
      true,
      '{"body":{"client":"c\ufffd"}}',
      null,
      null,
      null,
      1,
    ]);
  });

  it('given the answer, when projected, then the same facts and its status, time and duration', () => {
    expect(auditParams(answered).slice(0, 11)).toEqual(auditParams(requested).slice(0, 11));
    expect(auditParams(answered).slice(11)).toEqual([201, '2026-11-23T01:02:03.029Z', 25, 1]);
  });

  it('given the record of refused attempts that stands for several, when projected, then its count', () => {
    expect(auditParams({ ...answered, allowed: false, statusCode: 401, count: 12 }).slice(9)).toEqual([
      false,
      '{"body":{"client":"c\ufffd"}}',
      401,
      '2026-11-23T01:02:03.029Z',
      25,
      12,
    ]);
  });

  it('given a row, when shown, then who, what, when and the outcome', () => {
    const row: AuditRow = {
      audit_id: auditId,
      requested_at: new Date(facts.requestedAt),
      app: 'registry',
      instance: 'registry-1',
      scope: 'registry',
      method: 'POST',
      route: '/admin/grants',
      credential: 'ADMIN_TOKEN',
      remote_address: '10.0.0.7',
      allowed: true,
      summary: '',
      status_code: null,
      answered_at: null,
      duration_ms: null,
      count: 1,
    };
    expect(auditItem(row)).toEqual({
      auditId,
      when: '2026-11-23T01:02:03.004Z',
      who: { credential: 'ADMIN_TOKEN', remoteAddress: '10.0.0.7' },
      what: { app: 'registry', instance: 'registry-1', scope: 'registry', method: 'POST', route: '/admin/grants', summary: '' },
      outcome: { allowed: true, statusCode: null, answeredAt: null, durationMs: null, count: 1 },
    });
  });

  it('given no filter, when queried, then newest first with the default limit', () => {
    expect(auditQuery({})).toEqual({ sql: 'SELECT * FROM ndxp.admin_audit ORDER BY requested_at DESC, audit_id DESC LIMIT $1', params: [100] });
  });

  it('given every filter, when queried, then each a parameter; who matches a credential or a remote address', () => {
    const { sql, params } = auditQuery({ app: 'providers', scope: 'faults', who: 'FAULTS_ADMIN_TOKEN', from: '2026-11-23T00:00:00Z', to: '2026-11-24T00:00:00Z', limit: 5 });
    expect(sql).toBe(
      'SELECT * FROM ndxp.admin_audit WHERE app = $1 AND scope = $2 AND (credential = $3 OR remote_address = $3) AND requested_at >= $4::timestamptz AND requested_at < $5::timestamptz ' +
        'ORDER BY requested_at DESC, audit_id DESC LIMIT $6',
    );
    expect(params).toEqual(['providers', 'faults', 'FAULTS_ADMIN_TOKEN', '2026-11-23T00:00:00Z', '2026-11-24T00:00:00Z', 5]);
  });
});
