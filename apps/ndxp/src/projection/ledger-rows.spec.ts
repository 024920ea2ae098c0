import { TransactionEvent } from '@ndxp/contracts';
import { outcomeOfAnswer } from '@ndxp/contracts';
import { isUnstorable, LEDGER_COLUMNS, ledgerParams, patchesFromEvents, unregisteredIn, UnstorableEvent, vietnamDay } from './ledger-rows';

/** The code a deadline that passed is answered with; the event's timedOut says it was one. */
const TIMEOUT = 'Server.ServerProxy.IOError';
const t = '7d3f1b7e-0000-4000-8000-000000000001';
const requested: TransactionEvent = {
  type: 'TransactionRequested',
  eventId: `${t}:TransactionRequested`,
  transactionId: t,
  at: 1000,
  xRoadId: 'x',
  lgsp: '000.00.00.H26',
  client: 'VN/GOV/000.00.00.H26/MOTCUA',
  service: 'VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup',
  provider: 'VN/GOV/000.00.00.G01/CSDLQGDC',
  requestSize: 0,
  requestInAt: Date.UTC(2022, 8, 25, 18, 30),
};

describe('ledger patches', () => {
  it('counts the day in Vietnam: 18:30 UTC is already the next day there', () => {
    expect(vietnamDay(Date.UTC(2022, 8, 25, 18, 30))).toBe('2022-09-26');
    expect(patchesFromEvents([requested]).get(t)!.day).toBe('2022-09-26');
  });

  const answered = (at: number, statusCode: number, faultCode?: string): TransactionEvent => ({
    type: 'TransactionAnswered',
    eventId: `${t}:TransactionAnswered`,
    transactionId: t,
    at,
    xRoadId: 'x',
    lgsp: '000.00.00.H26',
    client: requested.type === 'TransactionRequested' ? requested.client : '',
    service: 'VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup',
    provider: 'VN/GOV/000.00.00.G01/CSDLQGDC',
    requestSize: 0,
    requestInAt: 1000,
    statusCode,
    faultCode,
    ...(faultCode === TIMEOUT ? { timedOut: true } : {}),
    durationMs: at - 1000,
  });

  it('given the hub completed but the gateway answered its client a timeout first, records what the client saw', () => {
    const p = patchesFromEvents([
      requested,
      { type: 'TransactionCompleted', eventId: 'b', transactionId: t, at: 3000, statusCode: 200, responseSize: 10, durationMs: 2000 },
      answered(7000, 504, TIMEOUT),
    ]).get(t)!;
    expect(p).toMatchObject({ outcome: 'timeout', status_code: 504, fault_code: TIMEOUT, succeeded: false, duration_ms: 6000 });
  });

  it('given only hub verdicts and no answer yet, leaves the transaction open', () => {
    const p = patchesFromEvents([
      requested,
      { type: 'TransactionTimedOut', eventId: 'a', transactionId: t, at: 2000, statusCode: 504, faultCode: TIMEOUT, faultString: 'late', durationMs: 5000 },
    ]).get(t)!;
    expect(p.outcome).toBeUndefined();
  });

  it('given an answer the hub never heard of, still makes the row from the answer', () => {
    expect(patchesFromEvents([answered(7000, 504, TIMEOUT)]).get(t)).toMatchObject({
      client: 'VN/GOV/000.00.00.H26/MOTCUA',
      day: vietnamDay(1000),
      outcome: 'timeout',
    });
  });

  it('given an injected answer, the row says what was injected; others say nothing', () => {
    const injected = { ...answered(1800, 503), injected: 'latency=800ms;status=503' } as TransactionEvent;
    expect(patchesFromEvents([requested, injected]).get(t)).toMatchObject({ outcome: 'success', status_code: 503, injected: 'latency=800ms;status=503' });
    expect(patchesFromEvents([requested, answered(1800, 200)]).get(t)!.injected).toBeUndefined();
    expect(LEDGER_COLUMNS.map((c) => c.name)).toContain('injected');
  });

  it('keeps the first terminal event only, and a late provider answer as a flag', () => {
    const p = patchesFromEvents([
      requested,
      answered(6000, 504, TIMEOUT),
      answered(7000, 200),
      { type: 'TransactionResponded', eventId: 'c', transactionId: t, at: 3000, statusCode: 200, responseSize: 10, providerInAt: 1, providerOutAt: 2, late: true },
    ]).get(t)!;
    expect(p).toMatchObject({ outcome: 'timeout', status_code: 504, late_response: true, succeeded: false });
  });

  it('classes an answer: no fault a success, a deadline a timeout, a fault of the request refused, the rest failed', () => {
    expect(outcomeOfAnswer(undefined)).toBe('success');
    expect(outcomeOfAnswer(TIMEOUT, true)).toBe('timeout');
    expect(outcomeOfAnswer('Client.BadRequest')).toBe('rejected');
    expect(outcomeOfAnswer('Server.ServerProxy.AccessDenied')).toBe('rejected');
    expect(outcomeOfAnswer('Server.ServerProxy.ServiceFailed')).toBe('failed');
  });
});

describe('what the ledger stores', () => {
  const column = (params: unknown[][], name: string) => params[LEDGER_COLUMNS.findIndex((c) => c.name === name)];

  it('given text with NUL from any producer, when turned into parameters, then NUL is U+FFFD and other values are as they were', () => {
    const p = { ...patchesFromEvents([{ ...requested, client: 'VN/GOV/000.00.00.H26/MOTCUA\u0000', userId: '\u0000x' }]).get(t)! };
    const params = ledgerParams([p]);
    expect(column(params, 'client')).toEqual(['VN/GOV/000.00.00.H26/MOTCUA\ufffd']);
    expect(column(params, 'user_id')).toEqual(['\ufffdx']);
    expect(column(params, 'request_size')).toEqual([0]);
    expect(column(params, 'outcome')).toEqual([null]);
    expect(params).toHaveLength(LEDGER_COLUMNS.length);
  });

  it.each([
    ['22021', 'invalid byte sequence (a NUL)', true],
    ['22P05', 'unsupported Unicode escape', true],
    ['22003', 'integer out of range', true],
    ['23502', 'not-null violation', true],
    ['54000', 'index row too large', true],
    ['40P01', 'deadlock', false],
    ['08006', 'connection failure', false],
    ['57P01', 'admin shutdown', false],
    ['ECONNREFUSED', 'database away', false],
  ])('given an error with code %s (%s), when classed, then unstorable is %s', (code, _what, unstorable) => {
    expect(isUnstorable(Object.assign(new Error('x'), { code }))).toBe(unstorable);
  });

  it('given an error without a code, when classed, then only a fold failure is unstorable', () => {
    expect(isUnstorable(new Error('Connection terminated unexpectedly'))).toBe(false);
    expect(isUnstorable(new UnstorableEvent('bad time'))).toBe(true);
    expect(isUnstorable(undefined)).toBe(false);
  });
});

describe('the daily counters and made-up identifiers', () => {
  const u = '7d3f1b7e-0000-4000-8000-000000000002';
  const refused = (transactionId: string, flags: { unregisteredClient?: boolean; unregisteredService?: boolean }): TransactionEvent => ({
    type: 'TransactionRejected',
    eventId: `${transactionId}:TransactionRejected`,
    transactionId,
    at: 2000,
    xRoadId: 'x',
    lgsp: '',
    client: 'VN/GOV/000.00.00.H26/JUNK-1',
    service: 'VN/GOV/000.00.00.G01/CSDLQGDC/made-up-1',
    provider: 'VN/GOV/000.00.00.G01/CSDLQGDC',
    requestSize: 0,
    requestInAt: 1000,
    stage: 'lgsp',
    statusCode: 500,
    faultCode: 'Server.ClientProxy.SslAuthenticationFailed',
    faultString: 'the API key is not known to the registry',
    ...flags,
  });

  it('given refusals the gateway found unregistered, when folded, then they count under unknown, and the ledger row keeps what was sent', () => {
    const patches = patchesFromEvents([refused(t, { unregisteredClient: true, unregisteredService: true }), refused(u, { unregisteredService: true })]);
    expect(unregisteredIn([...patches.values()])).toEqual({ clients: [t], services: [t, u] });
    expect(ledgerParams([...patches.values()])[LEDGER_COLUMNS.findIndex((c) => c.name === 'client')]).toEqual(['VN/GOV/000.00.00.H26/JUNK-1', 'VN/GOV/000.00.00.H26/JUNK-1']);
  });

  it('given events without the flags (an older gateway, another producer), when folded, then they count as recorded', () => {
    expect(unregisteredIn([...patchesFromEvents([requested, refused(u, {})]).values()])).toEqual({ clients: [], services: [] });
  });

  it('given the flags, when the row is stored, then they are not columns', () => {
    expect(LEDGER_COLUMNS.map((c) => c.name)).not.toContain('unregistered_client');
  });
});
