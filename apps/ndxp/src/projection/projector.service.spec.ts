import { Logger } from '@nestjs/common';
import { TransactionEvent } from '@ndxp/contracts';
import { DataSource } from 'typeorm';
import { KafkaService } from '@ndxp/platform';
import { KafkaMessage } from 'kafkajs';
import { NdxpMetricsService } from '../observability/ndxp-metrics.service';
import { ProjectorService } from './projector.service';

const event = (n: number): TransactionEvent => ({
  type: 'TransactionRouted',
  eventId: `e${n}`,
  transactionId: `7d3f1b7e-0000-4000-8000-00000000000${n}`,
  at: 1000,
  provider: 'p',
});
const sqlError = (code: string) => Object.assign(new Error(`sqlstate ${code}`), { code });

/** A projector whose database refuses the events `refuse` names with `error`; `send` stands in for the dead-letter topic. */
function projector(refuse: (e: TransactionEvent) => boolean, error: () => Error) {
  const inc = jest.fn();
  const send = jest.fn(async () => undefined);
  const p = new ProjectorService({} as DataSource, { deadLetters: { send } } as unknown as KafkaService, { m: { projectionSkipped: { inc } } } as unknown as NdxpMetricsService);
  const applied: TransactionEvent[] = [];
  let attempts = 0;
  jest.spyOn(p, 'apply').mockImplementation(async (events) => {
    attempts++;
    if (events.some(refuse)) throw error();
    applied.push(...events);
  });
  /** Each entry is one record: an event alone, or the events of one step. */
  const applyOrSkip = (batch: Array<TransactionEvent | TransactionEvent[]>) =>
    (p as unknown as { applyOrSkip(b: Array<{ events: TransactionEvent[]; message: KafkaMessage }>, partition: number): Promise<void> }).applyOrSkip(
      batch.map((r, i) => {
        const events = Array.isArray(r) ? r : [r];
        return { events, message: { offset: String(i), key: null, value: Buffer.from(JSON.stringify(events)) } as KafkaMessage };
      }),
      0,
    );
  return { applied, inc, send, applyOrSkip, attempts: () => attempts };
}

describe('the projector, given a batch the database refuses', () => {
  jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);

  it('given one event refused for its own data (22021), when applied, then the others are stored and it alone is dead-lettered and counted, untried again', async () => {
    const batch = [event(1), event(2), event(3)];
    const p = projector(
      (e) => e === batch[1],
      () => sqlError('22021'),
    );
    await p.applyOrSkip(batch);
    expect(p.applied).toEqual([batch[0], batch[2]]);
    expect(p.attempts()).toBe(1 + 3); // the batch, then each event once
    expect(p.inc).toHaveBeenCalledTimes(1);
    expect(p.inc).toHaveBeenCalledWith({ reason: 'unstorable' });
    expect(p.send).toHaveBeenCalledTimes(1);
    expect(p.send).toHaveBeenCalledWith(
      { group: 'ndxp-projector', topic: 'ndxp.transactions', partition: 0, offset: '1' },
      expect.objectContaining({ offset: '1' }),
      'unstorable',
      expect.stringMatching(/^TransactionRouted of .*2: sqlstate 22021$/),
    );
  });

  it('given an event whose handling throws something else (a stack overflow), when applied, then it is retried 3 times, then dead-lettered as failed', async () => {
    const batch = [event(1), event(2)];
    const p = projector(
      (e) => e === batch[0],
      () => new RangeError('Maximum call stack size exceeded'),
    );
    await p.applyOrSkip(batch);
    expect(p.applied).toEqual([batch[1]]);
    expect(p.attempts()).toBe(1 + 3 + 1);
    expect(p.send).toHaveBeenCalledWith(expect.objectContaining({ offset: '0' }), expect.anything(), 'failed', expect.stringContaining('Maximum call stack'));
    expect(p.inc).toHaveBeenCalledWith({ reason: 'failed' });
  });

  it('given a record of one step (two events) with one refused, when applied, then the record is dead-lettered once, naming both, and the rest stored', async () => {
    const step = [
      event(2),
      { ...event(2), type: 'TransactionResponded', eventId: 'e2r', statusCode: 200, responseSize: 1, providerInAt: 1, providerOutAt: 2, late: false } as TransactionEvent,
    ];
    const p = projector(
      (e) => e === step[1],
      () => sqlError('22021'),
    );
    await p.applyOrSkip([event(1), step, event(3)]);
    expect(p.applied).toEqual([event(1), event(3)]);
    expect(p.send).toHaveBeenCalledTimes(1);
    expect(p.send).toHaveBeenCalledWith(
      expect.objectContaining({ offset: '1' }),
      expect.anything(),
      'unstorable',
      expect.stringMatching(/^TransactionRouted, TransactionResponded of .*2: sqlstate 22021$/),
    );
  });

  it('given a transient error (the database away), when applied, then it is thrown for kafkajs to retry, and nothing is dead-lettered', async () => {
    const p = projector(
      () => true,
      () => sqlError('08006'),
    );
    await expect(p.applyOrSkip([event(1), event(2)])).rejects.toThrow('sqlstate 08006');
    expect(p.inc).not.toHaveBeenCalled();
    expect(p.send).not.toHaveBeenCalled();
  });

  it('given the database refusing connections mid-way through the one-by-one pass, when applied, then thrown, nothing dead-lettered', async () => {
    let calls = 0;
    const p = projector(
      () => true,
      () => (++calls === 1 ? sqlError('22021') : Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })),
    );
    await expect(p.applyOrSkip([event(1), event(2)])).rejects.toThrow('ECONNREFUSED');
    expect(p.send).not.toHaveBeenCalled();
  });
});

/** A projector whose consumer's start and stop, the broker's offset reset and the database's statements are recorded in `steps`. */
function rebuildable(reset: () => Promise<void>) {
  const steps: string[] = [];
  const db = { query: jest.fn(async (sql: string) => void steps.push(sql)) };
  const kafka = { forgetCommittedOffsets: jest.fn(async (group: string) => (steps.push(`reset ${group}`), reset())), partitionOffsets: async () => [] };
  const p = new ProjectorService(db as unknown as DataSource, kafka as unknown as KafkaService, {} as NdxpMetricsService);
  const internals = p as unknown as { start(): Promise<void>; stop(): Promise<void> };
  jest.spyOn(internals, 'start').mockImplementation(async () => void steps.push('start'));
  jest.spyOn(internals, 'stop').mockImplementation(async () => void steps.push('stop'));
  return { p, steps };
}

describe('the ledger rebuild', () => {
  jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);

  it('given the broker refusing the offset reset (another hub in the group), when rebuilt, then refused with its error, the ledger untouched and the consumer running again', async () => {
    const refused = new Error('The consumer group must have no running instances');
    const { p, steps } = rebuildable(() => Promise.reject(refused));
    await expect(p.rebuild(1000)).rejects.toBe(refused);
    expect(steps).toEqual(['stop', 'reset ndxp-projector', 'start']);
  });

  it('given the reset done, when rebuilt, then the tables are emptied only after it, and the consumer replays from zero', async () => {
    const { p, steps } = rebuildable(() => Promise.resolve());
    await p.rebuild(1000);
    expect(steps).toEqual(['stop', 'reset ndxp-projector', 'TRUNCATE ndxp.transactions, ndxp.daily_counters, ndxp.monthly_counters', 'start']);
  });
});
