import { parseTransactionEvent, serializeTransactionEvent } from '@ndxp/contracts/transaction-events';
import { defaultInputs } from './model';
import { estimateRecordSizes, RECORD_FRAMING_BYTES, recordBytes, SAMPLE_EVENTS } from './record-sizes';

describe('the estimated Kafka records of one transaction', () => {
  const sizes = estimateRecordSizes();

  it('given a successful lookup, then 4 request/reply records and 5 lifecycle events', () => {
    expect(sizes.requests.map((r) => r.name)).toEqual(['ExchangeRequest', 'ProviderRequest', 'ProviderResponse', 'ExchangeResponse']);
    expect(sizes.events.map((e) => e.name)).toEqual(['TransactionRequested', 'TransactionRouted', 'TransactionResponded', 'TransactionCompleted', 'TransactionAnswered']);
  });

  it('then a record counts its value, its key (a transaction id), its headers and its framing', () => {
    expect(recordBytes('{}')).toBe(2 + 36 + RECORD_FRAMING_BYTES);
    expect(recordBytes('{}', { ab: 'cd' })).toBe(2 + 36 + (2 + 2 + 2) + RECORD_FRAMING_BYTES);
  });

  it('then requests carrying the answer in base64 are larger than the lifecycle events, and every size is plausible', () => {
    expect(sizes.meanRequestBytes).toBeGreaterThan(sizes.meanEventBytes);
    for (const r of [...sizes.requests, ...sizes.events]) {
      expect(r.bytes).toBeGreaterThan(200);
      expect(r.bytes).toBeLessThan(2000);
    }
  });

  it('then the capacity model takes these as its defaults', () => {
    const d = defaultInputs();
    expect([d.requestRecordsPerTx, d.eventRecordsPerTx, d.requestRecordBytes, d.eventRecordBytes]).toEqual([4, 5, sizes.meanRequestBytes, sizes.meanEventBytes]);
  });

  it('then the sample events are events the platform takes (its guarded parser accepts each)', () => {
    for (const e of SAMPLE_EVENTS) expect(parseTransactionEvent(serializeTransactionEvent(e))).toMatchObject({ ok: true });
  });
});
