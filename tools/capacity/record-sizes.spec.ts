import { parseTransactionRecord, serializeTransactionRecord } from '@ndxp/contracts/transaction-events';
import { defaultInputs } from './model';
import { estimateRecordSizes, RECORD_FRAMING_BYTES, recordBytes, SAMPLE_EVENTS, SAMPLE_RECORDS } from './record-sizes';

describe('the estimated Kafka records of one transaction', () => {
  const sizes = estimateRecordSizes();

  it('given a successful lookup, then 4 request/reply records and 5 lifecycle events in 3 records', () => {
    expect(sizes.requests.map((r) => r.name)).toEqual(['ExchangeRequest', 'ProviderRequest', 'ProviderResponse', 'ExchangeResponse']);
    expect(sizes.events.map((e) => e.name)).toEqual(['TransactionRequested + TransactionRouted', 'TransactionResponded + TransactionCompleted', 'TransactionAnswered']);
    expect(SAMPLE_RECORDS.flat()).toEqual(SAMPLE_EVENTS);
  });

  it('then a record counts its value, its key (a transaction id), its headers and its framing', () => {
    expect(recordBytes('{}')).toBe(2 + 36 + RECORD_FRAMING_BYTES);
    expect(recordBytes('{}', { ab: 'cd' })).toBe(2 + 36 + (2 + 2 + 2) + RECORD_FRAMING_BYTES);
  });

  it('then the requests carrying the answer in base64 outweigh the lifecycle records in all, and every size is plausible', () => {
    const total = (rs: Array<{ bytes: number }>) => rs.reduce((n, r) => n + r.bytes, 0);
    expect(total(sizes.requests)).toBeGreaterThan(total(sizes.events));
    for (const r of [...sizes.requests, ...sizes.events]) {
      expect(r.bytes).toBeGreaterThan(200);
      expect(r.bytes).toBeLessThan(2000);
    }
  });

  it('then the capacity model takes these as its defaults', () => {
    const d = defaultInputs();
    expect([d.requestRecordsPerTx, d.eventRecordsPerTx, d.requestRecordBytes, d.eventRecordBytes]).toEqual([4, 3, sizes.meanRequestBytes, sizes.meanEventBytes]);
  });

  it('then the sample records are records the platform takes (its guarded parser reads each back)', () => {
    for (const r of SAMPLE_RECORDS) expect(parseTransactionRecord(serializeTransactionRecord([...r]))).toMatchObject({ ok: true, value: r.map((e) => expect.objectContaining(e)) });
  });
});
