import { HttpException } from '@nestjs/common';
import { EventEmitter } from 'events';
import type { Request, Response } from 'express';
import { AdminAuditEvent, parseAdminAuditEvent, Topics } from '@ndxp/contracts';
import { KafkaService } from '../kafka/kafka.service';
import { AdminAudit, AdminCaller, isAdminChange } from './admin-audit';

const TOKEN = 'the-faults-token-1';

/** A producer that acknowledges at once, or never ('down'); every message it was given, parsed. */
function kafka(broker: 'up' | 'down') {
  const sent: AdminAuditEvent[] = [];
  const raw: string[] = [];
  const send = (topic: string, m: { value: string }) => {
    expect(topic).toBe(Topics.adminAudit);
    raw.push(m.value);
    const e = parseAdminAuditEvent(m.value);
    if (!e.ok) throw new Error(e.reason);
    sent.push(e.value);
    return broker === 'up' ? Promise.resolve() : new Promise<void>(() => undefined);
  };
  const stoppers: Array<() => Promise<void>> = [];
  const service = { batching: { send }, onShutdown: (stop: () => Promise<void>) => void stoppers.push(stop) } as unknown as KafkaService;
  return { service, sent, raw, shutdown: () => Promise.all(stoppers.map((stop) => stop())) };
}

function request(method = 'PUT', ip = '10.0.0.7'): Request {
  return {
    method,
    originalUrl: '/admin/faults/population?service=citizen-lookup',
    ip,
    headers: { authorization: `Bearer ${TOKEN}` },
    query: { service: 'citizen-lookup' },
    body: { latencyMs: 300, apiKey: 'ndxp_0123456789abcdefghijABCDEF' },
  } as unknown as Request;
}

/** A response that says it was sent with `status` when told, then closed as Node closes every response; or closed before any answer (the client went away). */
function response() {
  const res = Object.assign(new EventEmitter(), { statusCode: 200, writableFinished: false });
  return {
    res: res as unknown as Response,
    answer: (status: number) => ((res.statusCode = status), (res.writableFinished = true), res.emit('finish'), res.emit('close')),
    abort: () => res.emit('close'),
  };
}

const allowed: AdminCaller = { scope: 'faults', credential: 'FAULTS_ADMIN_TOKEN', allowed: true };
const app = { name: 'providers', instance: 'providers-1' };
const flush = () => new Promise((r) => setImmediate(r));

describe('admin audit', () => {
  it('given the broker acknowledges, when an allowed change comes, then its intent is recorded before it runs, and its outcome once answered', async () => {
    const k = kafka('up');
    const { res, answer } = response();
    await new AdminAudit(k.service, app).record(request(), res, allowed);
    expect(k.sent).toEqual([
      expect.objectContaining({
        type: 'AdminChangeRequested',
        app: 'providers',
        instance: 'providers-1',
        scope: 'faults',
        method: 'PUT',
        route: '/admin/faults/population',
        credential: 'FAULTS_ADMIN_TOKEN',
        remoteAddress: '10.0.0.7',
        allowed: true,
        summary: '{"query":{"service":"citizen-lookup"},"body":{"latencyMs":300,"apiKey":"[redacted]"}}',
      }),
    ]);
    answer(200);
    await flush();
    expect(k.sent[1]).toMatchObject({ type: 'AdminChangeAnswered', auditId: k.sent[0].auditId, requestedAt: k.sent[0].requestedAt, statusCode: 200 });
    expect(k.sent[1].eventId).toBe(`${k.sent[0].auditId}:AdminChangeAnswered`);
    // the trail names the credential; neither the token nor the API key in the body is in any record
    for (const r of k.raw) expect(r).not.toMatch(/the-faults-token-1|ndxp_0123/);
  });

  it('given the broker does not acknowledge within the wait, when an allowed change comes, then 503 and the change is not run; the 503 is its outcome', async () => {
    const k = kafka('down');
    const audit = new AdminAudit(k.service, app);
    audit.waitMs = 50;
    const { res, answer } = response();
    const refused = await audit.record(request(), res, allowed).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HttpException);
    expect((refused as HttpException).getStatus()).toBe(503);
    expect((refused as HttpException).getResponse()).toMatchObject({ code: 'ADMIN_AUDIT_UNAVAILABLE', message: expect.stringMatching(/^not applied/) });
    answer(503);
    expect(k.sent.map((e) => e.type)).toEqual(['AdminChangeRequested', 'AdminChangeAnswered']);
    expect(k.sent[1]).toMatchObject({ statusCode: 503, allowed: true });
  });

  it('given a refused attempt, when recorded, then no intent and no wait even with the broker down; its 401 is recorded once answered', async () => {
    const k = kafka('down');
    const audit = new AdminAudit(k.service, app);
    audit.waitMs = 60_000;
    const { res, answer } = response();
    await audit.record(request('DELETE'), res, { scope: 'faults', credential: 'unrecognized', allowed: false });
    expect(k.sent).toEqual([]);
    answer(401);
    expect(k.sent).toEqual([expect.objectContaining({ type: 'AdminChangeAnswered', method: 'DELETE', credential: 'unrecognized', allowed: false, statusCode: 401 })]);
  });

  it('given an allowed change whose client goes away before the answer, when the connection closes, then its outcome is recorded once, as 499 (client closed request)', async () => {
    const k = kafka('up');
    const { res, abort } = response();
    await new AdminAudit(k.service, app).record(request(), res, allowed);
    abort();
    abort();
    expect(k.sent.map((e) => e.type)).toEqual(['AdminChangeRequested', 'AdminChangeAnswered']);
    expect(k.sent[1]).toMatchObject({ auditId: k.sent[0].auditId, statusCode: 499, allowed: true });
  });

  it('given an answer sent, when the connection then closes, then one outcome, with the status sent', async () => {
    const k = kafka('up');
    const { res, answer } = response();
    await new AdminAudit(k.service, app).record(request(), res, allowed);
    answer(201);
    expect(k.sent.map((e) => [e.type, (e as { statusCode?: number }).statusCode])).toEqual([
      ['AdminChangeRequested', undefined],
      ['AdminChangeAnswered', 201],
    ]);
  });

  describe('given refused attempts in a loop', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());
    const refused: AdminCaller = { scope: 'faults', credential: 'none', allowed: false };
    const attempt = async (audit: AdminAudit, ip = '10.0.0.66') => {
      const { res, answer } = response();
      await audit.record(request('POST', ip), res, refused);
      answer(401);
    };

    it('then from one address at most one record every 10 s, carrying the count of refusals it stands for', async () => {
      const k = kafka('up');
      const audit = new AdminAudit(k.service, app);
      for (let i = 0; i < 500; i++) await attempt(audit);
      expect(k.sent).toEqual([expect.objectContaining({ type: 'AdminChangeAnswered', allowed: false, statusCode: 401, remoteAddress: '10.0.0.66' })]);
      expect(k.sent[0].type === 'AdminChangeAnswered' && k.sent[0].count).toBeUndefined();
      jest.advanceTimersByTime(9_999);
      expect(k.sent).toHaveLength(1);
      jest.advanceTimersByTime(1);
      expect(k.sent).toHaveLength(2);
      expect(k.sent[1]).toMatchObject({ type: 'AdminChangeAnswered', allowed: false, statusCode: 401, count: 499 });
      expect(k.sent[1].auditId).not.toBe(k.sent[0].auditId);
    });

    it("then another address's attempts and the admins' changes are recorded as they come", async () => {
      const k = kafka('up');
      const audit = new AdminAudit(k.service, app);
      for (let i = 0; i < 50; i++) await attempt(audit);
      await attempt(audit, '10.0.0.77');
      const { res, answer } = response();
      await audit.record(request(), res, allowed);
      answer(200);
      expect(k.sent.map((e) => [e.type, e.remoteAddress, e.allowed])).toEqual([
        ['AdminChangeAnswered', '10.0.0.66', false],
        ['AdminChangeAnswered', '10.0.0.77', false],
        ['AdminChangeRequested', '10.0.0.7', true],
        ['AdminChangeAnswered', '10.0.0.7', true],
      ]);
    });

    it('then on shutdown the refusals counted and not yet recorded are recorded', async () => {
      const k = kafka('up');
      const audit = new AdminAudit(k.service, app);
      for (let i = 0; i < 3; i++) await attempt(audit);
      await k.shutdown();
      expect(k.sent.map((e) => e.type === 'AdminChangeAnswered' && (e.count ?? 1))).toEqual([1, 2]);
    });
  });

  it('given the guard applied twice to one request, when recorded twice, then one record', async () => {
    const k = kafka('up');
    const audit = new AdminAudit(k.service, app);
    const req = request();
    const { res, answer } = response();
    await audit.record(req, res, allowed);
    await audit.record(req, res, allowed);
    answer(200);
    expect(k.sent.map((e) => e.type)).toEqual(['AdminChangeRequested', 'AdminChangeAnswered']);
  });

  it('audits every method but the reads', () => {
    expect(['POST', 'PUT', 'PATCH', 'DELETE', 'post'].map(isAdminChange)).toEqual([true, true, true, true, true]);
    expect(['GET', 'HEAD', 'OPTIONS'].map(isAdminChange)).toEqual([false, false, false]);
  });
});
