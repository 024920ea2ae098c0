import { Producer } from 'kafkajs';
import { BatchingProducer, chunksOf, messageBytes } from './batching-producer';

// A pure unit test of the batching logic: the fake records sendBatch calls.
// Real-broker behaviour is covered in test/.
function fakeProducer() {
  const calls: Array<Array<{ topic: string; n: number }>> = [];
  let fail = false;
  const producer = {
    sendBatch: async ({ topicMessages }: { topicMessages: Array<{ topic: string; messages: unknown[] }> }) => {
      if (fail) throw new Error('broker gone');
      calls.push(topicMessages.map((t) => ({ topic: t.topic, n: t.messages.length })));
      return [];
    },
  } as unknown as Producer;
  return { producer, calls, setFail: (f: boolean) => (fail = f) };
}

describe('BatchingProducer', () => {
  it('groups messages sent within the linger window into one sendBatch, by topic', async () => {
    const f = fakeProducer();
    const b = new BatchingProducer(f.producer, { lingerMs: 5, maxBatch: 100 });
    await Promise.all([b.send('a', { value: '1' }), b.send('b', { value: '2' }), b.send('a', { value: '3' })]);
    expect(f.calls).toEqual([
      [
        { topic: 'a', n: 2 },
        { topic: 'b', n: 1 },
      ],
    ]);
  });

  it('given a broker slower to acknowledge than messages arrive, then what queued during a send goes in the next one, and no message waits behind a line of tiny batches', async () => {
    // Given a sendBatch that takes 40 ms (acks=all through replicas on a busy machine), and a message every 2 ms for 200 ms
    const calls: number[] = [];
    const producer = {
      sendBatch: async ({ topicMessages }: { topicMessages: Array<{ messages: unknown[] }> }) => {
        calls.push(topicMessages.reduce((n, t) => n + t.messages.length, 0));
        await new Promise((r) => setTimeout(r, 40));
        return [];
      },
    } as unknown as Producer;
    const b = new BatchingProducer(producer, { lingerMs: 2, maxBatch: 1000 });
    const waits: Array<Promise<number>> = [];
    for (let i = 0; i < 100; i++) {
      const queuedAt = Date.now();
      waits.push(b.send('t', { value: String(i) }).then(() => Date.now() - queuedAt));
      await new Promise((r) => setTimeout(r, 2));
    }
    const ms = await Promise.all(waits);
    // Then every message is sent, in fewer batches than messages, none waiting seconds behind a line of 1-message
    // batches (each message its own 40 ms send: ~4 s for the last); bounds loose enough for a busy machine
    expect(calls.reduce((a, n) => a + n, 0)).toBe(100);
    expect(calls.length).toBeLessThan(50);
    expect(Math.max(...ms)).toBeLessThan(1000);
  });

  it('given a message sent as the one before it is acknowledged, then it goes out too, and flush waits for what was queued', async () => {
    const f = fakeProducer();
    const b = new BatchingProducer(f.producer, { lingerMs: 1, maxBatch: 100 });
    await expect(b.send('t', { value: '1' }).then(() => b.send('t', { value: '2' }))).resolves.toBeUndefined();
    void b.send('t', { value: '3' });
    await b.flush();
    expect(f.calls.flat().reduce((n, c) => n + c.n, 0)).toBe(3);
    await expect(b.flush()).resolves.toBeUndefined(); // nothing queued: resolves
  });

  it('flushes at once when the batch is full', async () => {
    const f = fakeProducer();
    const b = new BatchingProducer(f.producer, { lingerMs: 10_000, maxBatch: 2 });
    await Promise.all([b.send('a', { value: '1' }), b.send('a', { value: '2' })]);
    expect(f.calls).toHaveLength(1);
  });

  it('rejects every message of a failed batch so no caller believes it was sent, and reports the count per topic', async () => {
    const f = fakeProducer();
    f.setFail(true);
    const errors: Array<[string, number]> = [];
    const b = new BatchingProducer(f.producer, { lingerMs: 1, maxBatch: 10, onError: (topic, n) => errors.push([topic, n]) });
    const results = await Promise.allSettled([b.send('a', { value: '1' }), b.send('a', { value: '2' }), b.send('b', { value: '3' })]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(errors).toEqual([
      ['a', 0],
      ['b', 0],
      ['a', 2],
      ['b', 1],
    ]);
  });

  it('given a broker that comes back, retries the failed batch as soon as one accepts connections, and delivers it', async () => {
    const f = fakeProducer();
    f.setFail(true);
    let probes = 0;
    const brokerUp = async () => {
      probes++;
      if (probes === 3) f.setFail(false); // the broker is back at the third knock
      return probes >= 3;
    };
    const b = new BatchingProducer(f.producer, { lingerMs: 1, maxBatch: 10, retry: { giveUpMs: 10_000, brokerUp } });
    await expect(b.send('a', { value: '1' })).resolves.toBeUndefined();
    expect(f.calls).toEqual([[{ topic: 'a', n: 1 }]]);
  });

  it('given a broker that stays away, gives up after giveUpMs and rejects', async () => {
    const f = fakeProducer();
    f.setFail(true);
    const b = new BatchingProducer(f.producer, { lingerMs: 1, maxBatch: 10, retry: { giveUpMs: 300, brokerUp: async () => false } });
    await expect(b.send('a', { value: '1' })).rejects.toThrow('broker gone');
  });

  it('given messages heavier together than maxBatchBytes, when flushed, then they go in several sendBatch calls, in order', async () => {
    const f = fakeProducer();
    const b = new BatchingProducer(f.producer, { lingerMs: 5, maxBatch: 100, maxBatchBytes: 1000 });
    await Promise.all(['a', 'b', 'c', 'd'].map((v) => b.send('t', { value: v.repeat(400) })));
    expect(f.calls).toEqual([[{ topic: 't', n: 2 }], [{ topic: 't', n: 2 }]]);
  });

  it('given one message too large for the broker among others, when flushed, then only it fails and it is not retried', async () => {
    const sent: string[][] = [];
    let attempts = 0;
    const producer = {
      sendBatch: async ({ topicMessages }: { topicMessages: Array<{ messages: Array<{ value: string }> }> }) => {
        const values = topicMessages.flatMap((t) => t.messages.map((m) => m.value));
        if (values.some((v) => v.length > 1000)) {
          attempts++;
          // kafkajs wraps the broker's answer: a non-retriable error whose cause is the protocol error
          throw Object.assign(new Error('wrapped'), {
            cause: Object.assign(new Error('The request included a message larger than the max message size the server will accept'), { type: 'MESSAGE_TOO_LARGE' }),
          });
        }
        sent.push(values.map((v) => v.slice(0, 1)));
        return [];
      },
    } as unknown as Producer;
    const b = new BatchingProducer(producer, { lingerMs: 5, maxBatch: 100, maxBatchBytes: 1000, retry: { giveUpMs: 10_000, brokerUp: async () => true } });
    const results = await Promise.allSettled([b.send('t', { value: 'a' }), b.send('t', { value: 'b'.repeat(2000) }), b.send('t', { value: 'c' })]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(sent).toEqual([['a'], ['c']]);
    expect(attempts).toBe(1);
  });
});

describe('chunksOf', () => {
  const p = (bytes: number) => ({ message: { value: 'x'.repeat(bytes - 64) } });
  it('given messages and a byte budget, when cut, then each piece is within it, order is kept, and an oversized one is alone', () => {
    const q = [p(300), p(300), p(500), p(2000), p(100)];
    expect(chunksOf(q, 1000).map((c) => c.map((m) => messageBytes(m.message)))).toEqual([[300, 300], [500], [2000], [100]]);
  });

  it('given headers and a key, when weighed, then they count', () => {
    expect(messageBytes({ key: 'k', value: 'vv', headers: { h: 'abc', l: ['1', '2'] } })).toBe(1 + 2 + 1 + 3 + 1 + 2 + 64);
  });

  it('given a request that expired while waiting behind a failed batch, when its turn comes, then it is dropped unsent', async () => {
    const f = fakeProducer();
    f.setFail(true);
    let up = false;
    const b = new BatchingProducer(f.producer, { lingerMs: 1, maxBatch: 10, retry: { giveUpMs: 10_000, brokerUp: async () => up } });
    const first = b.send('events', { value: 'first' });
    await new Promise((r) => setTimeout(r, 20)); // the first batch is being tried
    const expired = b.send('requests', { value: 'stale' }, { expiresAt: Date.now() + 100 });
    const event = b.send('events', { value: 'keep' });
    expired.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300)); // the request's deadline passes while the broker is away
    f.setFail(false);
    up = true;
    await expect(first).resolves.toBeUndefined();
    await expect(event).resolves.toBeUndefined();
    await expect(expired).rejects.toThrow(/expired before it could be sent/);
    expect(f.calls).toEqual([[{ topic: 'events', n: 1 }], [{ topic: 'events', n: 1 }]]);
  });

  describe('an idempotent producer, whose failed attempt may have been written', () => {
    /** Producers that each fail while `failing()` says so, and record what they sent; renewing makes a new one. */
    function renewable(failing: () => unknown) {
      const sent: Array<{ producer: number; values: string[] }> = [];
      let made = 0;
      const make = () => {
        const id = ++made;
        return {
          sendBatch: async ({ topicMessages }: { topicMessages: Array<{ messages: Array<{ value: string }> }> }) => {
            const e = failing();
            if (e) throw e;
            sent.push({ producer: id, values: topicMessages.flatMap((t) => t.messages.map((m) => m.value)) });
            return [];
          },
        } as unknown as Producer;
      };
      return { sent, first: make(), renewProducer: async () => make(), made: () => made };
    }

    it('given an attempt that failed and a message of it that expired since, when retried, then the very same batch goes on the same producer id', async () => {
      let fail: Error | undefined = new Error('request timed out');
      let up = false;
      const r = renewable(() => fail);
      const b = new BatchingProducer(r.first, { lingerMs: 1, retry: { giveUpMs: 10_000, brokerUp: async () => up, renewProducer: r.renewProducer } });
      const stale = b.send('requests', { value: 'stale' }, { expiresAt: Date.now() + 100 });
      const event = b.send('events', { value: 'keep' });
      await new Promise((res) => setTimeout(res, 300));
      fail = undefined;
      up = true;
      await expect(event).resolves.toBeUndefined();
      await expect(stale).resolves.toBeUndefined(); // it may have been written by the failed attempt: it is not "expired, unsent"
      expect(r.sent).toEqual([{ producer: 1, values: ['stale', 'keep'] }]);
    });

    it('given a retry of the very batch that failed, when it is sent, then on the same producer id (the broker knows it for a duplicate)', async () => {
      let fail: Error | undefined = new Error('request timed out');
      const r = renewable(() => fail);
      const b = new BatchingProducer(r.first, { lingerMs: 1, retry: { giveUpMs: 10_000, brokerUp: async () => true, renewProducer: r.renewProducer } });
      const event = b.send('events', { value: 'keep' });
      setTimeout(() => (fail = undefined), 200);
      await expect(event).resolves.toBeUndefined();
      expect(r.sent).toEqual([{ producer: 1, values: ['keep'] }]);
    });

    it('given the broker refuses the sequence numbers, when retried, then on a new producer id', async () => {
      const refused = Object.assign(new Error('The broker received an out of order sequence number'), { type: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
      let fail: Error | undefined = Object.assign(new Error('retries exceeded'), { cause: refused });
      const r = renewable(() => [fail, (fail = undefined)][0]); // refused once
      const b = new BatchingProducer(r.first, { lingerMs: 1, retry: { giveUpMs: 10_000, brokerUp: async () => true, renewProducer: r.renewProducer } });
      const event = b.send('events', { value: 'keep' });
      await expect(event).resolves.toBeUndefined();
      expect(r.sent).toEqual([{ producer: 2, values: ['keep'] }]);
    });

    it("given a batch given up on, when the next batch goes, then on a new producer id (it must not take the lost attempt's numbers)", async () => {
      let fail: Error | undefined = new Error('broker gone');
      const r = renewable(() => fail);
      const b = new BatchingProducer(r.first, { lingerMs: 1, retry: { giveUpMs: 200, brokerUp: async () => true, renewProducer: r.renewProducer } });
      await expect(b.send('events', { value: 'lost' })).rejects.toThrow('broker gone');
      fail = undefined;
      await b.send('events', { value: 'next' });
      expect(r.sent).toEqual([{ producer: 2, values: ['next'] }]);
    });
  });
});
