import {
  AdminChangeAnswered,
  AdminChangeRequested,
  adminAuditEventId,
  auditSummary,
  MAX_SUMMARY_CHARS,
  parseAdminAuditEvent,
  REDACTED,
  serializeAdminAuditEvent,
} from './admin-audit';
import { DEFAULT_SEED_SECRET, newApiKey, newOperatorKey, seedApiKey } from './credentials';

const auditId = '22222222-2222-4222-8222-222222222222';
const facts = {
  auditId,
  requestedAt: 1_767_225_600_000,
  app: 'providers',
  instance: 'providers-1',
  scope: 'faults' as const,
  method: 'PUT',
  route: '/admin/faults/population',
  credential: 'FAULTS_ADMIN_TOKEN',
  remoteAddress: '127.0.0.1',
  allowed: true,
  summary: '{"body":{"outage":true}}',
};
const requested: AdminChangeRequested = { type: 'AdminChangeRequested', eventId: adminAuditEventId(auditId, 'AdminChangeRequested'), at: facts.requestedAt, ...facts };
const answered: AdminChangeAnswered = {
  type: 'AdminChangeAnswered',
  eventId: adminAuditEventId(auditId, 'AdminChangeAnswered'),
  at: facts.requestedAt + 12,
  ...facts,
  statusCode: 200,
  durationMs: 12,
};
const text = (e: object) => JSON.stringify(e);

describe('admin audit events from Kafka', () => {
  it('given each event as serialized, when parsed, then the same event, stamped with schema version 2', () => {
    for (const e of [requested, answered]) expect(parseAdminAuditEvent(serializeAdminAuditEvent(e))).toEqual({ ok: true, value: { ...e, schemaVersion: 2 } });
  });

  it('given the record of refused attempts that stands for several (count), when serialized and parsed, then the count kept', () => {
    const refused: AdminChangeAnswered = { ...answered, credential: 'none', allowed: false, statusCode: 401, count: 37 };
    expect(parseAdminAuditEvent(serializeAdminAuditEvent(refused))).toEqual({ ok: true, value: { ...refused, schemaVersion: 2 } });
  });

  it('given a record of schema version 1 (as written before counts), when parsed, then read as it is: one request', () => {
    expect(parseAdminAuditEvent(text({ ...answered, schemaVersion: 1 }))).toEqual({ ok: true, value: { ...answered, schemaVersion: 1 } });
    expect(parseAdminAuditEvent(text(answered))).toMatchObject({ ok: true, value: { statusCode: 200 } });
  });

  it('given a refused attempt (no credential, not allowed, 401), when parsed, then accepted', () => {
    const refused = { ...answered, credential: 'none', allowed: false, statusCode: 401, summary: '' };
    expect(parseAdminAuditEvent(text(refused))).toMatchObject({ ok: true, value: { credential: 'none', allowed: false, statusCode: 401 } });
  });

  it('given a record of a newer schema version, when parsed, then refused with the reason', () => {
    expect(parseAdminAuditEvent(text({ ...requested, schemaVersion: 3 }))).toEqual({
      ok: false,
      reason: "schema version 3 is newer than this reader's (2): written by a newer emulator",
    });
  });

  it.each([
    ['not JSON', 'nope', /not JSON/],
    ['an array', '[]', /not an object/],
    ['an unknown type', text({ ...requested, type: 'AdminChangeUndone' }), /unknown event type "AdminChangeUndone"/],
    ['no type', text({ ...requested, type: undefined }), /unknown event type/],
    ['no eventId', text({ ...requested, eventId: undefined }), /eventId/],
    ['a time as text', text({ ...requested, at: '2026-01-01' }), /eventId or at/],
    ['an auditId that is no UUID', text({ ...requested, auditId: 'x' }), /auditId is not a UUID/],
    ['a fractional requestedAt', text({ ...requested, requestedAt: 1.5 }), /requestedAt/],
    ['a scope no admin API has', text({ ...requested, scope: 'everything' }), /scope/],
    ['allowed as text', text({ ...requested, allowed: 'yes' }), /allowed/],
    ['no credential field', text({ ...requested, credential: undefined }), /credential/],
    ['a summary over the bound', text({ ...requested, summary: 'x'.repeat(MAX_SUMMARY_CHARS + 1) }), /summary is longer than 2000/],
    ['a route over the bound', text({ ...requested, route: `/${'a'.repeat(600)}` }), /route is longer than 500/],
    ['an answer without status', text({ ...answered, statusCode: undefined }), /statusCode/],
    ['a status that is no HTTP status', text({ ...answered, statusCode: 42 }), /statusCode is not an HTTP status/],
    ['a negative duration', text({ ...answered, durationMs: -1 }), /durationMs is not a duration/],
    ['a count as text', text({ ...answered, allowed: false, count: '2', schemaVersion: 2 }), /lacks or mistypes count/],
    ['a count of none', text({ ...answered, allowed: false, count: 0, schemaVersion: 2 }), /count is not a number of requests/],
    ['a fractional count', text({ ...answered, allowed: false, count: 1.5, schemaVersion: 2 }), /count is not a number of requests/],
    ['a count on an allowed change', text({ ...answered, count: 2, schemaVersion: 2 }), /count on an allowed change/],
    ['a count in schema version 1', text({ ...answered, allowed: false, count: 2, schemaVersion: 1 }), /count is not in schema version 1/],
  ])('given a malformed record (%s), when parsed, then a reason and no throw', (_what, record, reason) => {
    let r: ReturnType<typeof parseAdminAuditEvent> | undefined;
    expect(() => (r = parseAdminAuditEvent(record))).not.toThrow();
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(reason) });
  });
});

describe('the summary of an admin request', () => {
  it('given a body without secrets, when summarised, then its JSON; an empty query is left out', () => {
    expect(auditSummary({ query: {}, body: { latencyMs: 300, outage: false, service: 'citizen-lookup' } })).toBe(
      '{"body":{"latencyMs":300,"outage":false,"service":"citizen-lookup"}}',
    );
    expect(auditSummary({ query: { service: 'citizen-lookup' } })).toBe('{"query":{"service":"citizen-lookup"}}');
  });

  it('given neither query nor body, when summarised, then empty', () => {
    expect(auditSummary({})).toBe('');
    expect(auditSummary({ query: {}, body: {} })).toBe('');
  });

  it('given secrets by field name, at any depth and in any spelling, when summarised, then each is redacted and the rest kept', () => {
    const body = {
      client: 'VN/GOV/000.00.00.H26/MOTCUA',
      keyId: 'k-1',
      apiKey: 'not-even-key-shaped',
      nested: { 'X-Api-Key': 'a', client_secret: 'b', refreshToken: { value: 'c' }, password: 'd', privateKey: 'e', authorization: 'Bearer f' },
    };
    const kept = JSON.parse(auditSummary({ body })).body;
    expect(kept).toEqual({
      client: body.client,
      keyId: 'k-1',
      apiKey: REDACTED,
      nested: { 'X-Api-Key': REDACTED, client_secret: REDACTED, refreshToken: REDACTED, password: REDACTED, privateKey: REDACTED, authorization: REDACTED },
    });
  });

  it('given secrets by their look (an API key, a private key in PEM) under harmless names, when summarised, then redacted', () => {
    const apiKey = 'ndxp_0123456789abcdefghijABCDEFGHIJ-_xyz';
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQ...\n-----END PRIVATE KEY-----';
    const summary = auditSummary({ body: { note: apiKey, certificatePem: pem, list: [apiKey] } });
    expect(JSON.parse(summary).body).toEqual({ note: REDACTED, certificatePem: REDACTED, list: [REDACTED] });
    expect(summary).not.toContain('0123456789abcdefghij');
    expect(summary).not.toContain('MIIEvQ');
  });

  it('given a key an LGSP operator was issued (ndxpop_…) under a harmless name, as a mistaken revoke sends it, when summarised, then redacted', () => {
    for (const key of [newOperatorKey(), newApiKey(), seedApiKey(DEFAULT_SEED_SECRET, 'VN/GOV/000.00.00.H26/MOTCUA')]) {
      const summary = auditSummary({ body: { lgsp: '000.00.00.H26', key } });
      expect(JSON.parse(summary).body).toEqual({ lgsp: '000.00.00.H26', key: REDACTED });
      expect(summary).not.toContain(key.slice(8));
    }
  });

  it('given a long string, a wide object, a long array and deep nesting, when summarised, then each is bounded', () => {
    const wide = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`k${i}`, i]));
    const deep = { a: { b: { c: { d: { e: 'deep' } } } } };
    const kept = JSON.parse(auditSummary({ body: { long: 'x'.repeat(500), wide, list: Array.from({ length: 30 }, (_, i) => i), deep } })).body;
    expect(kept.long).toBe(`${'x'.repeat(200)}…(500 characters)`);
    expect(Object.keys(kept.wide)).toHaveLength(21);
    expect(kept.wide['…']).toBe('5 more');
    expect(kept.list).toHaveLength(21);
    expect(kept.list[20]).toBe('…10 more');
    expect(kept.deep).toEqual({ a: { b: { c: '…' } } });
  });

  it('given a body whose summary would pass 2,000 characters, when summarised, then cut there, ending in …', () => {
    const body = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`field${i}`, 'y'.repeat(190)]));
    const summary = auditSummary({ body });
    expect(summary).toHaveLength(MAX_SUMMARY_CHARS);
    expect(summary.endsWith('…')).toBe(true);
  });

  it('given a body nested 100,000 levels deep, when summarised, then it returns at once (only 4 levels are walked)', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    expect(auditSummary({ body: deep })).toBe('{"body":{"d":{"d":{"d":{"d":"…"}}}}}');
  });

  it('given a NUL in a value, when summarised, then it stays escaped in the JSON text', () => {
    expect(auditSummary({ body: { name: 'a\u0000b' } })).toBe('{"body":{"name":"a\\u0000b"}}');
  });
});
