import { KafkaMessage } from 'kafkajs';
import { KafkaHeaders, MIN_SIGNING_KEY_LENGTH, signingKey } from '@ndxp/contracts';
import { BatchingProducer } from './batching-producer';
import { KafkaRequester, parseInbound } from './request-reply';

const key = signingKey('s'.repeat(MIN_SIGNING_KEY_LENGTH));
const otherKey = signingKey('o'.repeat(MIN_SIGNING_KEY_LENGTH));

/** Captures what a requester produces instead of sending it. */
function capture(): { producer: BatchingProducer; sent: Array<{ topic: string; message: { value: string; headers: Record<string, string> } }> } {
  const sent: Array<{ topic: string; message: { value: string; headers: Record<string, string> } }> = [];
  const producer = { send: (topic: string, message: never) => (sent.push({ topic, message }), Promise.resolve()) } as unknown as BatchingProducer;
  return { producer, sent };
}

/** The produced message as a consumer receives it. */
function received(m: { value: string; headers: Record<string, string> }, headers: Record<string, string> = m.headers): KafkaMessage {
  return { value: Buffer.from(m.value, 'utf8'), headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)])) } as unknown as KafkaMessage;
}

async function produced(signing?: typeof key) {
  const { producer, sent } = capture();
  const requester = new KafkaRequester({} as never, producer, 'ndxp.lgsp.replies.lgsp-1', 'g', { signingKey: signing });
  await requester.request('ndxp.hub.requests', 'exchange', { transactionId: 't-1', lgsp: '000.00.00.H26' }, 5, { correlationId: 'c-1' }).catch(() => undefined);
  return sent[0];
}

describe('signed requests over Kafka', () => {
  it('given a requester with a signing key, when it sends, then the consumer with the same key on that topic finds the signature valid', async () => {
    const m = await produced(key);
    expect(m.message.headers[KafkaHeaders.signature]).toMatch(/^v1=/);
    expect(parseInbound(received(m.message), { key, topic: m.topic })).toMatchObject({
      correlationId: 'c-1',
      operation: 'exchange',
      signature: 'valid',
      body: { transactionId: 't-1' },
    });
  });

  it('given a requester without a key, when it sends, then there is no signature header and a verifying consumer finds it missing', async () => {
    const m = await produced();
    expect(m.message.headers[KafkaHeaders.signature]).toBeUndefined();
    expect(parseInbound(received(m.message), { key, topic: m.topic })?.signature).toBe('missing');
  });

  it('given a signed request, when checked with another key, on another topic, or with its reply topic changed, then it is invalid', async () => {
    const m = await produced(key);
    expect(parseInbound(received(m.message), { key: otherKey, topic: m.topic })?.signature).toBe('invalid');
    expect(parseInbound(received(m.message), { key, topic: 'ndxp.provider.population.requests' })?.signature).toBe('invalid');
    const redirected = { ...m.message.headers, [KafkaHeaders.replyTo]: 'ndxp.registry.events' };
    expect(parseInbound(received(m.message, redirected), { key, topic: m.topic })?.signature).toBe('invalid');
  });

  it("given a per-request key, when it sends, then that key signs it, not the requester's own", async () => {
    const { producer, sent } = capture();
    const requester = new KafkaRequester({} as never, producer, 'ndxp.lgsp.replies.lgsp-1', 'g', { signingKey: key });
    await requester.request('ndxp.hub.requests', 'exchange', { lgsp: '000.00.00.H29' }, 5, { correlationId: 'c-2', signingKey: otherKey }).catch(() => undefined);
    expect(parseInbound(received(sent[0].message), { key: otherKey, topic: sent[0].topic })?.signature).toBe('valid');
    expect(parseInbound(received(sent[0].message), { key, topic: sent[0].topic })?.signature).toBe('invalid');
  });

  it('given a consumer choosing the key by the body, when a request comes, then it is checked with the key its body calls for; none: invalid if signed, missing if not', async () => {
    const m = await produced(key);
    const byLgsp = (keys: Record<string, typeof key>) => (body: unknown) => keys[(body as { lgsp?: string })?.lgsp ?? ''];
    expect(parseInbound(received(m.message), { key: byLgsp({ '000.00.00.H26': key }), topic: m.topic })?.signature).toBe('valid');
    expect(parseInbound(received(m.message), { key: byLgsp({ '000.00.00.H26': otherKey }), topic: m.topic })?.signature).toBe('invalid');
    expect(parseInbound(received(m.message), { key: byLgsp({}), topic: m.topic })?.signature).toBe('invalid');
    const unsigned = await produced(undefined);
    expect(parseInbound(received(unsigned.message), { key: byLgsp({}), topic: unsigned.topic })?.signature).toBe('missing');
  });

  it('given a consumer that does not verify, when a request comes, then no signature verdict is set', async () => {
    const m = await produced(key);
    expect(parseInbound(received(m.message))?.signature).toBeUndefined();
  });
});
