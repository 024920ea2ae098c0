import { compareAnswer, LiveAnswer, maskedCredentials, planReplay, replayExitCode, summarise } from './replay-compare';
import { CITIZEN, faultAnswer, LOOKUP, session, VERIFY } from './test-sessions';

const answer = (status: number, body: unknown, headers: Record<string, string> = {}): LiveAnswer => ({
  status,
  headers: Object.entries({ 'content-type': 'application/json', ...headers }),
  body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  timeMs: 3,
});

describe('replay: what is sent again', () => {
  it('given a recorded request, then the same method, target and end-to-end headers, a fresh X-Road-Id, the Idempotency-Key kept, no hop-by-hop headers', () => {
    const [e] = session([
      {
        at: 0,
        method: 'POST',
        url: `${VERIFY}?x=%2F1`,
        body: '{"personalId":"001090000001","fullName":"An"}',
        headers: { 'X-Road-Id': 'old-id', 'Idempotency-Key': 'k-1', Connection: 'keep-alive', 'Transfer-Encoding': 'chunked', 'X-Custom': 'kept' },
      },
    ]).exchanges;
    const plan = planReplay(e, { apiKey: 'ndxp_key', newId: () => 'new-id' });
    if (!('send' in plan)) throw new Error(plan.skip);
    expect(plan.send.method).toBe('POST');
    expect(plan.send.url).toBe(`http://127.0.0.1:3003${VERIFY}?x=%2F1`);
    const names = plan.send.headers.map(([n]) => n.toLowerCase());
    expect(names).not.toEqual(expect.arrayContaining(['host']));
    for (const hop of ['host', 'connection', 'transfer-encoding', 'content-length']) expect(names).not.toContain(hop);
    expect(plan.send.headers).toEqual(
      expect.arrayContaining([
        ['X-Road-Id', 'new-id'],
        ['Idempotency-Key', 'k-1'],
        ['X-Custom', 'kept'],
        ['X-API-Key', 'ndxp_key'],
      ]),
    );
    expect(plan.send.headers.filter(([n]) => n.toLowerCase() === 'x-api-key')).toHaveLength(1);
    expect(plan.send.body?.toString()).toBe('{"personalId":"001090000001","fullName":"An"}');
  });

  it('given --keep-ids and --against, then the recorded X-Road-Id, to the other gateway (its path prefix kept)', () => {
    const [e] = session([{ at: 0, url: `${LOOKUP}/001090000001`, headers: { 'X-Road-Id': 'old-id' } }]).exchanges;
    const plan = planReplay(e, { keepIds: true, against: 'https://lgsp.example/gw/' });
    expect('send' in plan && plan.send.url).toBe(`https://lgsp.example/gw${LOOKUP}/001090000001`);
    expect('send' in plan && plan.send.headers).toEqual(expect.arrayContaining([['X-Road-Id', 'old-id']]));
  });

  it('given no X-Road-Id recorded, then none is added (the gateway generates one, as it did)', () => {
    const [e] = session([{ at: 0, url: `${LOOKUP}/001090000001` }]).exchanges;
    const plan = planReplay(e);
    expect('send' in plan && plan.send.headers.some(([n]) => n.toLowerCase() === 'x-road-id')).toBe(false);
  });

  it('given a masked journal, then a request with masks in its URL or body is skipped with the reason; the masked key must be replaced', () => {
    const s = session(
      [
        { at: 0, url: `${LOOKUP}/001090000001` },
        { at: 10, method: 'POST', url: VERIFY, body: JSON.stringify({ personalId: '001090000001', sex: 'male' }) },
        { at: 20, method: 'POST', url: VERIFY, body: JSON.stringify({ sex: 'male' }), headers: { 'X-Road-UserId': 'VN001090000001' } },
      ],
      'masked',
    );
    const [url, body, clean] = s.exchanges.map((e) => planReplay(e, { apiKey: 'k' }));
    expect(url).toEqual({ skip: expect.stringMatching(/masked personal data in the URL/), notes: [] });
    expect(body).toEqual({ skip: expect.stringMatching(/masked personal data in the request body/), notes: [] });
    expect('send' in clean).toBe(true);
    expect(clean.notes).toEqual(['X-Road-UserId is sent masked, as recorded']);
    expect(maskedCredentials(s)).toEqual([1, 2, 3]);
    const [bearer] = session([{ at: 0, method: 'POST', url: VERIFY, body: '{"sex":"male"}', headers: { Authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9' } }], 'masked').exchanges;
    const plan = planReplay(bearer, { apiKey: 'k' });
    expect('send' in plan && plan.send.headers.some(([n]) => n === 'Authorization')).toBe(false);
    expect(plan.notes).toEqual([expect.stringMatching(/^Authorization is not sent: the journal masked it/)]);
  });

  it('given JOURNAL_BODIES=off, then a request whose body was not kept is skipped', () => {
    const [e] = session([{ at: 0, method: 'POST', url: VERIFY, body: '{"sex":"male"}' }], 'off').exchanges;
    expect(planReplay(e)).toEqual({ skip: expect.stringMatching(/kept no request body \(bodies are not kept/), notes: [] });
  });

  it('given an answer injected by a fault rule, then a note says the replay gets it only while the rule is live', () => {
    const [e] = session([{ at: 0, url: `${LOOKUP}/001090000001`, status: 503, resHeaders: { 'x-emulator-injected': 'rule r-1' } }]).exchanges;
    expect(planReplay(e).notes[0]).toMatch(/injected by fault rule r-1/);
  });
});

describe('replay: what the answer kept', () => {
  const [ok, fault, reset] = session([
    { at: 0, url: `${LOOKUP}/001090000001` },
    { at: 10, url: `${LOOKUP}/001090000002`, ...faultAnswer('Server.ServerProxy.NetworkError') },
    { at: 20, url: `${LOOKUP}/001090000003`, headers: { 'X-Emulator-Fault': 'reset' } },
  ]).exchanges;

  it('given the same status, no fault and the same shape with other values, then kept', () => {
    const r = compareAnswer(ok, answer(200, { ...CITIZEN, fullName: 'Trần Thị Bình' }));
    expect(r.verdict).toBe('kept');
    expect(r.checks).toEqual({ status: true, faultType: true, shape: true });
  });

  it('given another status, a fault and another shape, then each change said', () => {
    const r = compareAnswer(ok, answer(500, { type: 'Server.ServerProxy.NetworkError', message: 'x' }, { 'x-road-error': 'Server.ServerProxy.NetworkError' }));
    expect(r.verdict).toBe('changed');
    expect(r.changes[0]).toBe('status 200 → 500');
    expect(r.changes[1]).toBe('fault type none → Server.ServerProxy.NetworkError');
    expect(r.changes[2]).toMatch(/^body shape: .*- \$\.fullName: string/);
    expect(r.checks).toEqual({ status: false, faultType: false, shape: false });
  });

  it('given a recorded fault answered again with the same fault, then kept (the message and detail are values)', () => {
    expect(
      compareAnswer(fault, answer(500, { type: 'Server.ServerProxy.NetworkError', message: 'other', detail: 'ref-9' }, { 'x-road-error': 'Server.ServerProxy.NetworkError' }))
        .verdict,
    ).toBe('kept');
  });

  it('given a recorded reset and no answer again, then kept; an answer instead, then changed', () => {
    expect(compareAnswer(reset, { error: 'connection reset', code: 'ECONNRESET', timeMs: 1 }).verdict).toBe('kept');
    expect(compareAnswer(reset, answer(200, CITIZEN)).changes).toEqual(['status no answer → 200']);
    expect(compareAnswer(ok, { error: 'connection reset', code: 'ECONNRESET', timeMs: 1 }).changes).toEqual(['status 200 → no answer (connection reset)']);
  });

  it('given a masked recorded answer, then the live one is masked alike before its shape is taken (a masked number is a string)', () => {
    const [e] = session(
      [{ at: 0, url: '/r1/VN/GOV/000.00.00.G24/CSDLQGBH/health-insurance-card/0100000001', resBody: JSON.stringify({ insuranceNumber: 100000001, valid: true }) }],
      'masked',
    ).exchanges;
    expect(compareAnswer(e, answer(200, { insuranceNumber: 100000009, valid: false })).verdict).toBe('kept');
  });

  it('given the HAR kept no answer body, then the shape is not compared, and said so', () => {
    const [e] = session([{ at: 0, url: `${LOOKUP}/001090000001` }], 'off').exchanges;
    const r = compareAnswer(e, answer(200, { other: 1 }));
    expect(r.verdict).toBe('kept');
    expect(r.checks.shape).toBeNull();
    expect(r.notes[0]).toMatch(/body shape not compared/);
  });

  it('given results, then the summary and the exit code (1 when any changed)', () => {
    const results = [compareAnswer(ok, answer(200, CITIZEN)), compareAnswer(ok, answer(404, { code: 'NOT_FOUND', message: 'x' }))];
    const summary = summarise(results);
    expect(summary).toEqual({ requests: 2, kept: 1, changed: 1, skipped: 0 });
    expect(replayExitCode({ summary } as never)).toBe(1);
    expect(replayExitCode({ summary: summarise(results.slice(0, 1)) } as never)).toBe(0);
  });
});
