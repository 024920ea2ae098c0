import { Logger } from '@nestjs/common';
import { TransactionEvent } from '@ndxp/contracts';
import { DataSource } from 'typeorm';
import { KafkaService } from '@ndxp/platform';
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

/** A projector whose database refuses the events `refuse` names, with `code`. */
function projector(refuse: (e: TransactionEvent) => boolean, code: string) {
  const inc = jest.fn();
  const p = new ProjectorService({} as DataSource, {} as KafkaService, { m: { projectionSkipped: { inc } } } as unknown as NdxpMetricsService);
  const applied: TransactionEvent[] = [];
  jest.spyOn(p, 'apply').mockImplementation(async (events) => {
    if (events.some(refuse)) throw sqlError(code);
    applied.push(...events);
  });
  const applyOrSkip = (batch: TransactionEvent[]) =>
    (p as unknown as { applyOrSkip(b: Array<{ event: TransactionEvent; offset: string }>, partition: number): Promise<void> }).applyOrSkip(
      batch.map((event, i) => ({ event, offset: String(i) })),
      0,
    );
  return { applied, inc, applyOrSkip };
}

describe('the projector, given a batch the database refuses', () => {
  const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  beforeEach(() => logged.mockClear());

  it('given one event refused for its own data (22021), when applied, then the others are stored and it alone is skipped and counted', async () => {
    const batch = [event(1), event(2), event(3)];
    const p = projector((e) => e === batch[1], '22021');
    await p.applyOrSkip(batch);
    expect(p.applied).toEqual([batch[0], batch[2]]);
    expect(p.inc).toHaveBeenCalledTimes(1);
    expect(p.inc).toHaveBeenCalledWith({ reason: 'unstorable' });
    expect(logged).toHaveBeenCalledWith(expect.stringMatching(/^skipped ndxp\.transactions partition 0 offset 1 \(unstorable\): TransactionRouted of .*2: sqlstate 22021$/));
  });

  it('given a transient error (the database away), when applied, then it is thrown for kafkajs to retry, and nothing is skipped', async () => {
    const p = projector(() => true, '08006');
    await expect(p.applyOrSkip([event(1), event(2)])).rejects.toThrow('sqlstate 08006');
    expect(p.inc).not.toHaveBeenCalled();
  });
});
