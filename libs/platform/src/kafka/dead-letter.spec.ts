import { Logger } from '@nestjs/common';
import { afterFailure, classifyFailure, deadLetterHeaders, DeadLetters, isTransientError, withRetries } from './dead-letter';
import { BatchingProducer } from './batching-producer';

const sqlError = (code: string) => Object.assign(new Error(`sqlstate ${code}`), { code });

describe('the retry / dead-letter decision', () => {
  it('given a record fault (its own data), then dead-lettered at once: no retry changes the record', () => {
    expect(afterFailure('record', 1)).toEqual({ action: 'dead-letter' });
  });

  it('given an unknown failure, then retried with a doubling backoff, and dead-lettered after the third attempt', () => {
    expect(afterFailure('unknown', 1)).toEqual({ action: 'retry', delayMs: 50 });
    expect(afterFailure('unknown', 2)).toEqual({ action: 'retry', delayMs: 100 });
    expect(afterFailure('unknown', 3)).toEqual({ action: 'dead-letter' });
    expect(afterFailure('unknown', 2, { attempts: 2, baseDelayMs: 10 })).toEqual({ action: 'dead-letter' });
  });

  it('given a transient failure (the database or broker away), then rethrown however often: an outage never dead-letters the topic', () => {
    for (const n of [1, 3, 100]) expect(afterFailure('transient', n)).toEqual({ action: 'rethrow' });
  });

  it.each([
    ['a lost connection (08006)', sqlError('08006'), true],
    ['a deadlock (40P01)', sqlError('40P01'), true],
    ['a shutdown (57P01)', sqlError('57P01'), true],
    ['a refused socket', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), true],
    ['a pool whose connection ended', new Error('Connection terminated unexpectedly'), true],
    ['a kafkajs error', Object.assign(new Error('broker gone'), { name: 'KafkaJSConnectionError' }), true],
    ['a NUL in text (22021)', sqlError('22021'), false],
    ['a stack overflow', new RangeError('Maximum call stack size exceeded'), false],
    ['a TypeError', new TypeError('x is undefined'), false],
    ['not an error', 'boom', false],
  ])('given %s, then transient is %s', (_what, e, transient) => {
    expect(isTransientError(e)).toBe(transient);
  });

  it('classifies with the consumer’s own idea of a record fault', () => {
    const isData = (e: unknown) => (e as { code?: string }).code?.startsWith('22') ?? false;
    expect(classifyFailure(sqlError('22021'), isData)).toBe('record');
    expect(classifyFailure(sqlError('08006'), isData)).toBe('transient');
    expect(classifyFailure(new TypeError('x'), isData)).toBe('unknown');
  });
});

describe('withRetries', () => {
  const policy = { attempts: 3, baseDelayMs: 1 };

  it('given a handler that succeeds on the second try, then no failure', async () => {
    let n = 0;
    const handle = jest.fn(async () => {
      if (++n < 2) throw new TypeError('flaky');
    });
    expect(await withRetries(handle, () => 'unknown', policy)).toBeUndefined();
    expect(handle).toHaveBeenCalledTimes(2);
  });

  it('given a handler that always throws, then 3 attempts and the failure to dead-letter', async () => {
    const handle = jest.fn(async () => {
      throw new TypeError('always');
    });
    expect(await withRetries(handle, () => 'unknown', policy)).toEqual({ kind: 'unknown', error: new TypeError('always') });
    expect(handle).toHaveBeenCalledTimes(3);
  });

  it('given a transient error, then thrown after one attempt', async () => {
    const handle = jest.fn(async () => {
      throw sqlError('08006');
    });
    await expect(withRetries(handle, (e) => classifyFailure(e), policy)).rejects.toThrow('08006');
    expect(handle).toHaveBeenCalledTimes(1);
  });
});

describe('a dead letter', () => {
  jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);

  it('names the source topic, partition, offset, group and reason; the detail is cut to 1000 characters', () => {
    const h = deadLetterHeaders({ group: 'g', topic: 't', partition: 3, offset: '42' }, 'malformed', 'x'.repeat(5000), new Date(0));
    expect(h).toEqual({
      'ndxp-dl-source-topic': 't',
      'ndxp-dl-source-partition': '3',
      'ndxp-dl-source-offset': '42',
      'ndxp-dl-group': 'g',
      'ndxp-dl-reason': 'malformed',
      'ndxp-dl-detail': `${'x'.repeat(1000)}…`,
      'ndxp-dl-at': '1970-01-01T00:00:00.000Z',
    });
  });

  it('keeps the record’s bytes, key and headers, adds its own, is sent to ndxp.dead-letter, and is counted once sent', async () => {
    const send = jest.fn(async () => undefined);
    const count = jest.fn();
    const value = Buffer.from([0x7b, 0x00, 0xff, 0xfe]);
    await new DeadLetters({ send } as unknown as BatchingProducer, count).send(
      { group: 'g', topic: 't', partition: 0, offset: '7' },
      { key: Buffer.from('k'), value, headers: { 'ndxp-correlation-id': 'c1' } },
      'malformed',
      'not JSON',
    );
    expect(send).toHaveBeenCalledWith('ndxp.dead-letter', {
      key: Buffer.from('k'),
      value,
      headers: expect.objectContaining({ 'ndxp-correlation-id': 'c1', 'ndxp-dl-reason': 'malformed', 'ndxp-dl-source-offset': '7' }),
    });
    expect(count).toHaveBeenCalledWith({ group: 'g', topic: 't', reason: 'malformed' });
  });

  it('given the same record again (a consumer that started over), when sent, then it goes and counts once', async () => {
    const send = jest.fn(async () => undefined);
    const count = jest.fn();
    const sink = new DeadLetters({ send } as unknown as BatchingProducer, count);
    const source = { group: 'g', topic: 't', partition: 1, offset: '9' };
    for (let i = 0; i < 3; i++) await sink.send(source, { key: null, value: Buffer.from('x'), headers: {} }, 'malformed', 'not JSON');
    await sink.send({ ...source, offset: '10' }, { key: null, value: Buffer.from('y'), headers: {} }, 'malformed', 'not JSON');
    expect(send).toHaveBeenCalledTimes(2);
    expect(count).toHaveBeenCalledTimes(2);
  });
});
