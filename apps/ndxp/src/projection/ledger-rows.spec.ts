import { TransactionEvent } from '@ndxp/contracts';
import { outcomeOfFault, patchesFromEvents, vietnamDay } from './ledger-rows';

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
