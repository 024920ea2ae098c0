import { FaultRules, matchesRequest, parseFaultRule, RuleRequest } from './fault-rules';

const HANOI = 'VN/GOV/000.00.00.H26/MOTCUA';
const HCMC = 'VN/GOV/000.00.00.H29/MOTCUA';
const LOOKUP = 'VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup';
const call = (o: Partial<RuleRequest> = {}): RuleRequest => ({ client: HANOI, service: LOOKUP, serviceCode: 'citizen-lookup', method: 'GET', path: '/001030000483', ...o });

const spec = (body: unknown) => {
  const r = parseFaultRule(body);
  if (!r.ok) throw new Error(r.message);
  return r.spec;
};
const refusal = (body: unknown) => {
  const r = parseFaultRule(body);
  if (r.ok) throw new Error(`accepted ${JSON.stringify(body)}`);
  return r.message;
};

/** Rules on a clock and a random source the test moves. */
function rules(draws: number[] = []) {
  const clock = { now: Date.UTC(2026, 0, 1) };
  let n = 0;
  const book = new FaultRules(
    () => clock.now,
    () => draws.shift() ?? 0,
    () => `r${++n}`,
  );
  return { book, clock };
}

describe('fault rules: reading one', () => {
  it('takes a match, an action as an object or in the header grammar, a probability, a count and a window', () => {
    expect(spec({ match: { client: HANOI, service: 'citizen-lookup' }, action: { status: 503 }, count: 3 })).toEqual({
      match: { client: HANOI, service: 'citizen-lookup' },
      action: { status: 503 },
      probability: 1,
      count: 3,
    });
    expect(spec({ action: 'latency=800ms;status=503', probability: 0.5, from: '2026-01-01T00:00:00Z', until: Date.UTC(2026, 0, 2) })).toEqual({
      match: {},
      action: { latencyMs: 800, status: 503 },
      probability: 0.5,
      from: Date.UTC(2026, 0, 1),
      until: Date.UTC(2026, 0, 2),
    });
    expect(spec({ match: { method: 'post', path: '/0010*' }, action: { timeout: true } }).action).toEqual({ timeout: true });
  });

  it.each([
    ['not an object', [], /a rule is a JSON object/],
    ['an unknown field', { action: { status: 503 }, times: 3 }, /unknown field\(s\) times/],
    ['a strange match', { match: { agency: 'x' }, action: { status: 503 } }, /not agency/],
    ['an empty match value', { match: { client: '' }, action: { status: 503 } }, /match.client must be a text/],
    ['no action', { match: {} }, /the action is latency, status or timeout/],
    ['an action doing nothing', { action: {} }, /does nothing/],
    ['a platform fault as the action', { action: 'fault=Server.ServerProxy.NetworkError' }, /exist only as X-Emulator-Fault/],
    ['reset as the action', { action: 'reset' }, /exist only as X-Emulator-Fault/],
    ['junk in the grammar', { action: 'status=9000' }, /^action: "status=9000": an HTTP status/],
    ['a bad status', { action: { status: 700 } }, /from 200 to 599/],
    ['a bad latency', { action: { latencyMs: -1 } }, /latencyMs must be an integer/],
    ['status with timeout', { action: { status: 503, timeout: true } }, /cannot be combined/],
    ['a probability over 1', { action: { status: 503 }, probability: 2 }, /probability must be a number from 0 to 1/],
    ['a count of 0', { action: { status: 503 }, count: 0 }, /count must be an integer/],
    ['a bad time', { action: { status: 503 }, from: 'tomorrow' }, /from must be an ISO 8601 time/],
    ['a window that ends first', { action: { status: 503 }, from: 2000, until: 1000 }, /until must be after from/],
  ])('refuses %s, saying why', (_why, body, message) => {
    expect(refusal(body)).toMatch(message);
  });
});

describe('fault rules: matching', () => {
  it('matches client exactly, service by identifier or code, method in any case, path by glob', () => {
    expect(matchesRequest({}, call())).toBe(true);
    expect(matchesRequest({ client: HANOI }, call())).toBe(true);
    expect(matchesRequest({ client: HCMC }, call())).toBe(false);
    expect(matchesRequest({ service: LOOKUP }, call())).toBe(true);
    expect(matchesRequest({ service: 'citizen-lookup' }, call())).toBe(true);
    expect(matchesRequest({ service: 'citizen-verify' }, call())).toBe(false);
    expect(matchesRequest({ method: 'get' }, call())).toBe(true);
    expect(matchesRequest({ method: 'POST' }, call())).toBe(false);
    expect(matchesRequest({ path: '/0010*' }, call())).toBe(true);
    expect(matchesRequest({ path: '/00103000048?' }, call())).toBe(true);
    expect(matchesRequest({ path: '/0011*' }, call())).toBe(false);
    expect(matchesRequest({ path: '/001.30000483' }, call())).toBe(false); // a dot is a dot, not any character
    expect(matchesRequest({ path: '*' }, call({ path: '' }))).toBe(true);
  });
});

describe('fault rules: counting, chance and window', () => {
  it('given count=3, hits exactly the next 3 matching calls, not the others, then lets calls through', () => {
    const { book } = rules();
    book.add(spec({ match: { client: HANOI }, action: { status: 503 }, count: 3 }));
    const hits = [call(), call({ client: HCMC }), call(), call(), call(), call()].map((r) => book.decide(r)?.action.status);
    expect(hits).toEqual([503, undefined, 503, 503, undefined, undefined]);
    expect(book.list()[0]).toMatchObject({ id: 'r1', count: 3, remaining: 0, hits: 3, live: false });
  });

  it('given a probability, hits the calls the random source draws under it, and only those count', () => {
    const { book } = rules([0.2, 0.7, 0.49, 0.5]);
    book.add(spec({ action: { timeout: true }, probability: 0.5, count: 2 }));
    expect([call(), call(), call(), call()].map((r) => book.decide(r)?.action)).toEqual([{ timeout: true }, undefined, { timeout: true }, undefined]);
    expect(book.list()[0]).toMatchObject({ hits: 2, remaining: 0 });
  });

  it('given a window, hits only within it', () => {
    const { book, clock } = rules();
    const start = clock.now;
    book.add(spec({ action: { latencyMs: 100 }, from: start + 1000, until: start + 2000 }));
    expect(book.decide(call())).toBeUndefined();
    clock.now = start + 1000;
    expect(book.decide(call())?.action).toEqual({ latencyMs: 100 });
    clock.now = start + 2000;
    expect(book.decide(call())).toBeUndefined();
    expect(book.list()[0]).toMatchObject({ from: new Date(start + 1000).toISOString(), until: new Date(start + 2000).toISOString(), live: false, hits: 1 });
  });

  it('given several rules, the first live one that hits wins; delete and reset remove them', () => {
    const { book } = rules();
    book.add(spec({ match: { client: HANOI }, action: { status: 503 }, count: 1 }));
    book.add(spec({ action: { status: 429 } }));
    expect([call(), call(), call({ client: HCMC })].map((r) => book.decide(r)?.rule.id)).toEqual(['r1', 'r2', 'r2']);
    expect(book.delete('r2')).toBe(true);
    expect(book.delete('r2')).toBe(false);
    expect(book.decide(call())).toBeUndefined();
    book.add(spec({ action: { status: 500 } }));
    expect(book.clear()).toBe(2);
    expect(book.list()).toEqual([]);
  });
});
