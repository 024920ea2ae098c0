import { TransactionEvent } from '@ndxp/contracts';
import { isUnstorable, LEDGER_COLUMNS, ledgerParams, outcomeOfFault, patchesFromEvents, UnstorableEvent, vietnamDay } from './ledger-rows';

const t = '7d3f1b7e-0000-4000-8000-000000000001';
const requested: TransactionEvent = {
  type: 'TransactionRequested', eventId: `${t}:TransactionRequested`, transactionId: t, at: 1000, xRoadId: 'x', lgsp: '000.00.00.H26',
  client: 'VN/GOV/000.00.00.H26/MOTCUA', service: 'VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup', provider: 'VN/GOV/000.00.00.G01/CSDLQGDC',
  requestSize: 0, requestInAt: Date.UTC(2022, 8, 25, 18, 30),
};

describe('ledger patches', () => {
  it('counts the day in Vietnam: 18:30 UTC is already the next day there', () => {
    expect(vietnamDay(Date.UTC(2022, 8, 25, 18, 30))).toBe('2022-09-26');
    expect(patchesFromEvents([requested]).get(t)!.day).toBe('2022-09-26');
  });

  it('keeps the first terminal event only', () => {
    const p = patchesFromEvents([
      requested,
      { type: 'TransactionTimedOut', eventId: 'a', transactionId: t, at: 2000, statusCode: 504, faultCode: 'Server.ServerProxy.Timeout', faultString: 'late', durationMs: 5000 },
      { type: 'TransactionCompleted', eventId: 'b', transactionId: t, at: 3000, statusCode: 200, responseSize: 10, durationMs: 6000 },
      { type: 'TransactionResponded', eventId: 'c', transactionId: t, at: 3000, statusCode: 200, responseSize: 10, providerInAt: 1, providerOutAt: 2, late: true },
    ]).get(t)!;
    expect(p).toMatchObject({ outcome: 'timeout', status_code: 504, late_response: true, succeeded: false });
  });

  it('classes a provider Client.* fault as rejected and a Server.* fault as failed', () => {
    expect(outcomeOfFault('Client.BadRequest')).toBe('rejected');
    expect(outcomeOfFault('Server.ServerProxy.ServiceUnavailable')).toBe('failed');
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
