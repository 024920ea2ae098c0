import { Logger } from '@nestjs/common';
import { RegistryEventEnvelope } from '@ndxp/contracts';
import { AppConfig } from '../config/app-config';
import { KafkaService } from '../kafka/kafka.service';
import { RegistryViewService } from './registry-view.service';

const client = 'VN/GOV/000.00.00.H26/MOTCUA';
const record = (globalPosition: number, keyId: string): string =>
  JSON.stringify({
    globalPosition,
    streamId: `credential-${client}`,
    streamVersion: globalPosition,
    recordedAt: '2026-01-01T00:00:00.000Z',
    event: { type: 'CredentialIssued', client, keyId, keyHash: `h-${keyId}` },
  } satisfies RegistryEventEnvelope);

type EachBatch = (p: { batch: { topic: string; partition: number; messages: Array<{ offset: string; value: Buffer | null }> } }) => Promise<void>;

/** The service over a stand-in broker whose topic ends at `end`; `deliver` hands its consumer a batch. */
async function viewOver(end: number) {
  let eachBatch: EachBatch | undefined;
  const listeners = new Map<string, () => void>();
  const consumer = {
    events: { CRASH: 'consumer.crash', GROUP_JOIN: 'consumer.group_join', FETCH: 'consumer.fetch' },
    on: (event: string, f: () => void) => void listeners.set(event, f),
    connect: async () => undefined,
    subscribe: async () => undefined,
    disconnect: async () => undefined,
    run: async (run: { eachBatch: EachBatch }) => {
      eachBatch = run.eachBatch;
      listeners.get('consumer.group_join')?.(); // the supervised consumer waits for the join
    },
  };
  const admin = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    fetchTopicOffsets: async () => [{ partition: 0, low: '0', high: String(end) }],
  };
  const deadLetters = { send: jest.fn(async (..._args: unknown[]) => undefined) };
  const kafka = {
    deadLetters,
    ensureTopics: async () => undefined,
    topicEnd: async () => end,
    onShutdown: () => undefined,
    kafka: { consumer: () => consumer, admin: () => admin },
  };
  const view = new RegistryViewService(kafka as unknown as KafkaService, { INSTANCE_ID: 'test-1' } as AppConfig);
  const started = view.onApplicationBootstrap();
  for (let i = 0; !eachBatch; i++) {
    if (i > 1000) throw new Error('the view never started its consumer');
    await new Promise((r) => setImmediate(r));
  }
  const deliver = (values: Array<string | null>, from: number) =>
    eachBatch!({
      batch: { topic: 'ndxp.registry.events', partition: 0, messages: values.map((v, i) => ({ offset: String(from + i), value: v === null ? null : Buffer.from(v) })) },
    });
  return { view, started, deliver, deadLettered: deadLetters.send };
}

describe('the registry view, given malformed records on its topic', () => {
  const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  beforeEach(() => {
    logged.mockClear();
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] }); // the 60 s start-up wait never fires
  });
  afterEach(() => jest.useRealTimers());

  it('given records that are not JSON, of an unknown type, or empty, when consumed, then each is dead-lettered with its offset and later changes apply', async () => {
    const { view, started, deliver, deadLettered } = await viewOver(5);
    const unknown = JSON.stringify({ globalPosition: 2, streamId: 's', streamVersion: 1, recordedAt: 'x', event: { type: 'AgencyRenamed' } });
    await expect(deliver([record(1, 'k1'), 'not json', unknown, null, record(3, 'k2')], 0)).resolves.toBeUndefined();
    await started;
    expect([...view.state.credentials.values()].map((c) => c.keyId)).toEqual(['k1', 'k2']);
    expect(view.health()).toMatchObject({ status: 'up', position: 3 });
    const source = (offset: string) => ({ group: expect.stringMatching(/^registry-view-test-1-/), topic: 'ndxp.registry.events', partition: 0, offset });
    expect(deadLettered.mock.calls).toEqual([
      [source('1'), expect.objectContaining({ offset: '1' }), 'malformed', expect.stringMatching(/^not JSON/)],
      [source('2'), expect.objectContaining({ offset: '2' }), 'malformed', expect.stringMatching(/^unknown event type "AgencyRenamed"/)],
      [source('3'), expect.objectContaining({ offset: '3' }), 'malformed', expect.stringMatching(/^not JSON/)],
    ]);
  });

  it('given a record whose position is not a safe integer or leaps far ahead, when consumed, then it is dead-lettered and later events still apply', async () => {
    const { view, started, deliver, deadLettered } = await viewOver(5);
    await deliver([record(1, 'k1'), record(1e300, 'huge'), record(Number.MAX_SAFE_INTEGER, 'leap'), record(2.5, 'half'), record(2, 'k2')], 0);
    await started;
    expect([...view.state.credentials.values()].map((c) => c.keyId)).toEqual(['k1', 'k2']);
    expect(view.health()).toMatchObject({ status: 'up', position: 2 });
    expect(deadLettered.mock.calls.map((c) => [(c[0] as { offset: string }).offset, c[2], c[3]])).toEqual([
      ['1', 'malformed', expect.stringMatching(/globalPosition is not a positive integer/)],
      ['2', 'malformed', expect.stringMatching(/globalPosition 9007199254740991 leaps .* past the last applied \(1\)/)],
      ['3', 'malformed', expect.stringMatching(/globalPosition is not a positive integer/)],
    ]);
  });

  it('given a malformed record last on the topic, when consumed at start, then the view is still ready', async () => {
    const { view, started, deliver } = await viewOver(2);
    await deliver([record(1, 'k1'), '{"globalPosition":2}'], 0);
    await started;
    expect(view.health()).toMatchObject({ status: 'up', position: 1 });
  });
});
