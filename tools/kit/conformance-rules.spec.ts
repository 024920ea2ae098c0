import { checkConformance, conformanceExitCode, ConformanceReport, openApiProblems, retryChains, RuleStatus } from './conformance-rules';
import { outcomeOf } from './outcome';
import { CLIENT, faultAnswer, LOOKUP, Rec, session, VERIFY } from './test-sessions';

const ID = '001090000001';
const statuses = (r: ConformanceReport): Record<string, RuleStatus> => Object.fromEntries(r.rules.map((x) => [x.id, x.status]));
const rule = (r: ConformanceReport, id: string) => r.rules.find((x) => x.id === id)!;
const check = (recs: Rec[], mode: 'clear' | 'masked' = 'clear') => checkConformance(session(recs, mode), { source: 'test' });
const NETWORK = faultAnswer('Server.ServerProxy.NetworkError');
const verifyBody = JSON.stringify({ personalId: ID, fullName: 'Nguyễn Văn An' });

describe('conformance of a connector', () => {
  it('given a well-behaved connector (unique ids, retries of a network error with growing gaps and the same key), then every rule passes', () => {
    const r = check([
      { at: 0, ms: 30, url: `${LOOKUP}/${ID}`, headers: { 'X-Road-Id': 'a-1' }, ...NETWORK },
      { at: 230, ms: 30, url: `${LOOKUP}/${ID}`, headers: { 'X-Road-Id': 'a-2' }, ...NETWORK },
      { at: 860, ms: 30, url: `${LOOKUP}/${ID}`, headers: { 'X-Road-Id': 'a-3' } },
      { at: 2000, ms: 20, method: 'POST', url: VERIFY, body: verifyBody, headers: { 'X-Road-Id': 'b-1', 'Idempotency-Key': 'k-1' }, status: 503, resBody: '{"code":"INJECTED"}' },
      { at: 2300, ms: 20, method: 'POST', url: VERIFY, body: verifyBody, headers: { 'X-Road-Id': 'b-2', 'Idempotency-Key': 'k-1' }, resBody: '{"result":"match","checked":[]}' },
    ]);
    expect(statuses(r)).toEqual({
      'XRD-001': 'pass',
      'XRD-002': 'pass',
      'XRD-003': 'pass',
      'XRD-004': 'pass',
      'XRD-005': 'pass',
      'XRD-006': 'pass',
      'XRD-007': 'pass',
      'XRD-008': 'pass',
    });
    expect(conformanceExitCode(r)).toBe(0);
    expect(rule(r, 'XRD-008').note).toMatch(/does not record a client that disconnects/);
  });

  it('given a naive connector (no retries, no client header, a reused X-Road-Id, a malformed key), then exactly those rules fail, and the retry rules do not apply', () => {
    const r = check([
      { at: 0, url: `${LOOKUP}/12345`, headers: { 'X-Road-Id': 'same' }, status: 400, resBody: '{"code":"BAD_REQUEST","field":"personalId","message":"x"}' },
      { at: 1000, url: `${LOOKUP}/001090000002`, headers: { 'X-Road-Id': 'same', 'X-Road-Client': '' }, ...faultAnswer('Server.ClientProxy.InvalidClientIdentifier') },
      { at: 2000, url: `${LOOKUP}/001090000003`, headers: { 'X-Road-Client': 'VN/GOV/not-an-agency/MOTCUA' }, ...faultAnswer('Server.ClientProxy.InternalError') },
      { at: 3000, url: `${LOOKUP}/001090000004`, ...NETWORK },
    ]);
    expect(statuses(r)).toEqual({
      'XRD-001': 'fail',
      'XRD-002': 'fail',
      'XRD-003': 'fail',
      'XRD-004': 'not-applicable',
      'XRD-005': 'not-applicable',
      'XRD-006': 'not-applicable',
      'XRD-007': 'pass',
      'XRD-008': 'not-checkable',
    });
    expect(rule(r, 'XRD-001').findings).toEqual([{ entries: [1], message: expect.stringMatching(/^#1 GET citizen-lookup: personalId: "12345" does not match/) }]);
    expect(rule(r, 'XRD-002').findings.map((f) => f.entries)).toEqual([[2], [3]]);
    expect(rule(r, 'XRD-002').findings[1].message).toMatch(/header X-Road-Client: member code/);
    expect(rule(r, 'XRD-003').findings).toEqual([{ entries: [1, 2], message: 'X-Road-Id same sent 2 times: #1, #2' }]);
    expect(rule(r, 'XRD-008').note).toMatch(/^not checkable from this journal/);
    expect(conformanceExitCode(r)).toBe(1);
  });

  it('given a retry storm (a POST without a key, retried at once, 30 times a second), then the retry rules it broke fail', () => {
    const storm: Rec[] = Array.from({ length: 30 }, (_, i) => ({ at: i * 34, ms: 5, method: 'POST', url: VERIFY, body: verifyBody, ...NETWORK }));
    const r = check(storm);
    expect(statuses(r)).toEqual({
      'XRD-001': 'pass',
      'XRD-002': 'pass',
      'XRD-003': 'not-applicable',
      'XRD-004': 'pass',
      'XRD-005': 'fail',
      'XRD-006': 'fail',
      'XRD-007': 'fail',
      'XRD-008': 'pass',
    });
    expect(rule(r, 'XRD-005').findings[0].message).toMatch(/^POST #1 retried \(#2, .*\) without an Idempotency-Key$/);
    expect(rule(r, 'XRD-006').findings[0].message).toBe("#2 sent 29 ms after #1's answer: at least 100 ms expected");
    expect(rule(r, 'XRD-006').findings.at(-1)!.message).toMatch(/do not back off: gaps 29 ms, 29 ms/);
    // 34 ms apart: 30 of them in the first second (#1 at 0 ms .. #30 at 986 ms).
    expect(rule(r, 'XRD-007').findings).toEqual([
      {
        entries: Array.from({ length: 30 }, (_, i) => i + 1),
        message: expect.stringMatching(/^30 requests to failing VN\/GOV\/000.00.00.G01\/CSDLQGDC\/citizen-verify within 1 s .*: at most 10 expected$/),
      },
    ]);
  });

  it('given a retry of a fault that is not retryable, and of a provider’s 404, then XRD-004 names them', () => {
    const r = check([
      { at: 0, url: `${LOOKUP}/${ID}`, ...faultAnswer('Server.ServerProxy.AccessDenied') },
      { at: 500, url: `${LOOKUP}/${ID}`, ...faultAnswer('Server.ServerProxy.AccessDenied') },
      { at: 5000, url: `${LOOKUP}/001090000002`, status: 404, resBody: '{"code":"NOT_FOUND","message":"x"}' },
      { at: 6000, url: `${LOOKUP}/001090000002`, status: 404, resBody: '{"code":"NOT_FOUND","message":"x"}' },
    ]);
    expect(rule(r, 'XRD-004').status).toBe('fail');
    expect(rule(r, 'XRD-004').findings.map((f) => f.message)).toEqual([
      '#2 retries #1 (retry 1) after 500 Server.ServerProxy.AccessDenied: not retryable (a fault of the request or of the client’s rights: the same request gets it again)',
      '#4 retries #3 (retry 1) after 404 (the provider’s answer): not retryable (the provider’s own answer to this request: the same request gets it again)',
    ]);
  });

  it('given the same request again after a success, then it is a new request, not a retry', () => {
    const chains = retryChains(
      session([
        { at: 0, url: `${LOOKUP}/${ID}` },
        { at: 100, url: `${LOOKUP}/${ID}` },
      ]).exchanges,
    );
    expect(chains.map((c) => c.attempts.length)).toEqual([1, 1]);
  });

  it('given a retry with another Idempotency-Key, then XRD-005 fails; a retried GET without one passes', () => {
    const r = check([
      { at: 0, method: 'POST', url: VERIFY, body: verifyBody, headers: { 'Idempotency-Key': 'k-1' }, ...NETWORK },
      { at: 300, method: 'POST', url: VERIFY, body: verifyBody, headers: { 'Idempotency-Key': 'k-2' }, ...NETWORK },
      { at: 5000, url: `${LOOKUP}/${ID}`, ...NETWORK },
      { at: 5300, url: `${LOOKUP}/${ID}` },
    ]);
    expect(rule(r, 'XRD-005').findings).toEqual([{ entries: [1, 2], message: "#2 retries #1 with Idempotency-Key k-2, not the first attempt's k-1" }]);
  });

  it('given a 429 with Retry-After: 1 retried after 300 ms, then XRD-006 says the Retry-After', () => {
    const limited = { ...faultAnswer('Server.ClientProxy.RateLimited', 429), resHeaders: { ...faultAnswer('Server.ClientProxy.RateLimited').resHeaders, 'retry-after': '1' } };
    const r = check([
      { at: 0, url: `${LOOKUP}/${ID}`, ...limited },
      { at: 320, url: `${LOOKUP}/${ID}` },
    ]);
    expect(rule(r, 'XRD-004').status).toBe('pass');
    expect(rule(r, 'XRD-006').findings[0].message).toBe("#2 sent 300 ms after #1's answer, which said Retry-After 1 s");
  });

  it('given a retry sent 1 s into a request the platform answered at its 5 s deadline, then XRD-008 fails (the client gave up too soon)', () => {
    const r = check([
      { at: 0, ms: 5000, url: `${LOOKUP}/${ID}`, headers: { 'Idempotency-Key': 'k' }, ...faultAnswer('Server.ServerProxy.IOError') },
      { at: 1000, ms: 30, url: `${LOOKUP}/${ID}`, headers: { 'Idempotency-Key': 'k' } },
    ]);
    expect(rule(r, 'XRD-008').status).toBe('fail');
    expect(rule(r, 'XRD-008').findings[0].message).toBe("#2 retried #1 after 1000 ms, before its answer (5000 ms): the platform's deadline is 5000 ms");
    expect(rule(r, 'XRD-004').status).toBe('pass');
    expect(rule(r, 'XRD-006').note).toMatch(/1 retry was sent before the previous answer/);
  });

  it('given a retry sent right after the answer, whose whole-millisecond start seems to precede its end by less than a millisecond, then it is not taken for one sent before the answer', () => {
    const r = check([
      { at: 0, ms: 5.7, url: `${LOOKUP}/${ID}`, ...faultAnswer('Server.ServerProxy.NetworkError') },
      { at: 5, ms: 4, url: `${LOOKUP}/${ID}` },
    ]);
    expect(rule(r, 'XRD-008').status).toBe('pass');
    expect(rule(r, 'XRD-006').note).toBeUndefined();
  });

  it('given a masked journal, then masked values are not held against their patterns, and the note says so', () => {
    const r = check(
      [
        { at: 0, url: `${LOOKUP}/${ID}` },
        { at: 10, method: 'POST', url: VERIFY, body: verifyBody, resBody: '{"result":"match","checked":[]}' },
      ],
      'masked',
    );
    expect(rule(r, 'XRD-001').status).toBe('pass');
    expect(rule(r, 'XRD-001').note).toMatch(/^2 request\(s\) had values masked/);
  });

  it('given a body that breaks the schema, a wrong method and a wrong content type, then each problem', () => {
    const [a, b, c] = session([
      { at: 0, method: 'POST', url: VERIFY, body: JSON.stringify({ personalId: ID, sex: 'x' }) },
      { at: 1, method: 'POST', url: `${LOOKUP}/${ID}`, body: '{}' },
      { at: 2, method: 'POST', url: VERIFY, body: 'personalId=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
    ]).exchanges;
    expect(openApiProblems(a)?.problems).toEqual(['body.sex: "x" is not one of male, female']);
    expect(openApiProblems(b)?.problems).toEqual(['POST to citizen-lookup, which takes GET']);
    expect(openApiProblems(c)?.problems).toEqual(['Content-Type application/x-www-form-urlencoded: application/json expected']);
  });

  it('given only a metaservice call, then XRD-001 does not apply', () => {
    const r = check([{ at: 0, url: `/r1/VN/GOV/000.00.00.G01/CSDLQGDC/listMethods` }]);
    expect(rule(r, 'XRD-001').status).toBe('not-applicable');
  });

  it('given two clients, then one client’s report has its own exchanges only', () => {
    const other = 'VN/GOV/000.00.00.H29/MOTCUA';
    const s = session([
      { at: 0, url: `${LOOKUP}/${ID}`, headers: { 'X-Road-Id': 'x' } },
      { at: 1, url: `${LOOKUP}/${ID}`, headers: { 'X-Road-Id': 'x' }, client: other },
    ]);
    expect(rule(checkConformance(s, { source: 't' }), 'XRD-003').status).toBe('pass'); // an id is the client's own
    const mine = checkConformance(s, { source: 't', client: CLIENT });
    expect(mine.exchanges).toBe(1);
    expect(mine.clients).toEqual([CLIENT]);
  });

  it('given the fault types, then which are retryable', () => {
    const [net, io, limited, denied, unknown, internal, snake] = session(
      [
        'Server.ServerProxy.NetworkError',
        'Server.ServerProxy.IOError',
        'Server.ClientProxy.RateLimited',
        'Server.ServerProxy.AccessDenied',
        'Server.ClientProxy.UnknownMember',
        'Server.ClientProxy.InternalError',
        'server.serverproxy.network_error',
      ].map((t, i) => ({ at: i, url: `${LOOKUP}/${ID}`, ...faultAnswer(t) })),
    ).exchanges.map(outcomeOf);
    expect([net, io, limited, snake].map((o) => o.retryable)).toEqual([true, true, true, true]);
    expect([denied, unknown, internal].map((o) => o.retryable)).toEqual([false, false, false]);
  });
});
