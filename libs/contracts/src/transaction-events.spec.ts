import { parseTransactionRecord, serializeTransactionRecord, TRANSACTION_SCHEMA_VERSION, TransactionEvent } from './transaction-events';

const t = '7d3f1b7e-0000-4000-8000-000000000001';
const answered: TransactionEvent = {
  type: 'TransactionAnswered',
  eventId: `${t}:TransactionAnswered`,
  transactionId: t,
  at: 2000,
  xRoadId: 'x',
  lgsp: '000.00.00.H26',
  client: 'VN/GOV/000.00.00.H26/MOTCUA',
  service: 'VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup',
  provider: 'VN/GOV/000.00.00.G01/CSDLQGDC',
  requestSize: 0,
  requestInAt: 1000,
  statusCode: 500,
  faultCode: 'Server.ServerProxy.IOError',
  faultString: 'no answer',
  timedOut: true,
  durationMs: 1000,
};

const routed: TransactionEvent = { type: 'TransactionRouted', eventId: `${t}:TransactionRouted`, transactionId: t, at: 1500, provider: answered.provider };
const requested: TransactionEvent = { ...answered, type: 'TransactionRequested', eventId: `${t}:TransactionRequested`, at: 1400 } as TransactionEvent;
const parseTransactionEvent = (text: string) => {
  const r = parseTransactionRecord(text);
  return r.ok ? { ok: true as const, value: r.value[0] } : r;
};

describe('the transaction topic parser', () => {
  it('given an event as written alone, when read, then it is the same event, stamped version 2 (its shape since then: a reader of 2 reads it)', () => {
    const r = parseTransactionRecord(serializeTransactionRecord([answered]));
    expect(r).toEqual({ ok: true, value: [{ ...answered, schemaVersion: 2 }] });
  });

  it('given the events of one step written together, when read, then one record gives them back in order', () => {
    const text = serializeTransactionRecord([requested, routed]);
    expect(JSON.parse(text)).toMatchObject({
      schemaVersion: TRANSACTION_SCHEMA_VERSION,
      transactionId: t,
      events: [{ type: 'TransactionRequested' }, { type: 'TransactionRouted' }],
    });
    expect(parseTransactionRecord(text)).toEqual({ ok: true, value: [requested, routed] });
  });

  it('given events of two transactions, or none, when written as one record, then it throws (a bug in the writer)', () => {
    const other = { ...routed, transactionId: '7d3f1b7e-0000-4000-8000-000000000002' };
    expect(() => serializeTransactionRecord([routed, other])).toThrow(/one transaction/);
    expect(() => serializeTransactionRecord([])).toThrow(/at least one event/);
  });

  it('given an event written before versions were stamped, when read, then it is read as version 1', () => {
    expect(parseTransactionEvent(JSON.stringify(answered)).ok).toBe(true);
  });

  it('given a version-1 answer with the old timeout code, when read, then it is upgraded: timedOut, the code as written', () => {
    const v1 = { ...answered, statusCode: 504, faultCode: 'Server.ServerProxy.Timeout', timedOut: undefined, schemaVersion: 1 };
    expect(parseTransactionEvent(JSON.stringify(v1))).toMatchObject({ ok: true, value: { faultCode: 'Server.ServerProxy.Timeout', timedOut: true } });
    const failed = { ...v1, faultCode: 'Server.ServerProxy.ServiceFailed' };
    const read = parseTransactionEvent(JSON.stringify(failed));
    expect(read.ok && read.value).not.toHaveProperty('timedOut');
  });

  it.each([
    ['not JSON', 'not json', /^not JSON/],
    ['an array', '[1]', /not an object/],
    ['a newer schema', JSON.stringify({ ...answered, schemaVersion: 4 }), /schema version 4 is newer than this reader's \(3\)/],
    ['an unknown type', JSON.stringify({ ...answered, type: 'TransactionTeleported' }), /unknown event type "TransactionTeleported"/],
    ['a transaction id that is not a UUID', JSON.stringify({ ...answered, transactionId: 'x' }), /transactionId is not a UUID/],
    ['a missing field', JSON.stringify({ ...answered, statusCode: undefined }), /TransactionAnswered lacks or mistypes statusCode/],
    ['a mistyped field', JSON.stringify({ ...answered, requestInAt: 'yesterday' }), /lacks or mistypes requestInAt/],
    ['a stage that is neither', JSON.stringify({ ...answered, type: 'TransactionRejected', stage: 'moon' }), /TransactionRejected lacks or mistypes stage/],
    ['a record of events that is empty', JSON.stringify({ schemaVersion: 3, transactionId: t, events: [] }), /events is not a non-empty array/],
    [
      'a record with a bad event',
      JSON.stringify({ schemaVersion: 3, transactionId: t, events: [routed, { ...answered, statusCode: 'x' }] }),
      /events\[1\]: TransactionAnswered lacks/,
    ],
    ['a record with an event that is no object', JSON.stringify({ schemaVersion: 3, transactionId: t, events: [routed, 7] }), /events\[1\]: not an object/],
    [
      "a record with another transaction's event",
      JSON.stringify({ schemaVersion: 3, transactionId: t, events: [routed, { ...routed, transactionId: '7d3f1b7e-0000-4000-8000-000000000002' }] }),
      /events\[1\] is of transaction 7d3f1b7e-0000-4000-8000-000000000002/,
    ],
  ])('given %s, when read, then a reason and no throw', (_, text, reason) => {
    const r = parseTransactionEvent(text);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.reason).toMatch(reason);
  });
});
