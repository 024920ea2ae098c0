import { randomBytes } from 'crypto';
import { DataSource } from 'typeorm';
import { emptyRegistryView, evolveRegistryView, parseRegistryEnvelope, RegistryEvent } from '@ndxp/contracts';
import { dropDatabase, ensureDatabase } from '@ndxp/infra';
import { KafkaService, openDatabase } from '@ndxp/platform';
import { APPEND_LOCK_KEY, EventStore } from '../apps/registry/src/event-store/event-store';
import { OutboxRelayService } from '../apps/registry/src/event-store/outbox-relay.service';
import { RegistryEventStore1763920000000 } from '../apps/registry/src/migrations/1763920000000-registry-event-store';

// Concurrent registry writes against a real PostgreSQL, published by the real
// outbox relay (to a fake producer) and folded by the view every consumer
// uses. The view drops any position at or below the last it applied, so an
// event that commits after a higher position has gone out is lost for good:
// every appended event must be applied exactly once.
const STREAMS = 20;
const APPENDS_PER_STREAM = 10; // alternately issue and revoke a key

/** Stands in for Kafka: the relay's producer hands each message to `deliver`. */
function fakeKafka(deliver: (value: string) => void): { kafka: KafkaService; stop: () => Promise<void> } {
  const stops: Array<() => Promise<void>> = [];
  const producer = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    send: async (r: { messages: Array<{ value: string }> }) => r.messages.forEach((m) => deliver(m.value)),
  };
  const kafka = {
    ensureTopics: async () => undefined,
    topicEnd: async () => 0,
    newProducer: () => producer,
    onShutdown: (stop: () => Promise<void>) => stops.push(stop),
  };
  return { kafka: kafka as unknown as KafkaService, stop: async () => void (await Promise.all(stops.map((s) => s()))) };
}

function eventOf(client: string, i: number): RegistryEvent {
  const keyId = `k${Math.floor(i / 2)}`;
  if (i % 2 === 1) return { type: 'CredentialRevoked', client, keyId };
  return { type: 'CredentialIssued', client, keyId, keyHash: `${client}/${keyId}` };
}

/** One stream's appends, one after another as the registry's commands make them. */
async function writeStream(store: EventStore, client: string): Promise<void> {
  for (let i = 0; i < APPENDS_PER_STREAM; i++) await store.append(`credential-${client}`, i, [eventOf(client, i)]);
}

describe('registry event store under concurrent appends', () => {
  const url = `postgres://postgres@127.0.0.1:5432/ndxp_t_${randomBytes(6).toString('hex')}`;
  let db: DataSource;

  beforeAll(async () => {
    await ensureDatabase(url);
    db = await openDatabase({ url, schema: 'registry', entities: [], migrations: [RegistryEventStore1763920000000] });
  });

  afterAll(async () => {
    await db?.destroy();
    await dropDatabase(url);
  });

  it('publishes every event in an order the consumers apply in full', async () => {
    const view = emptyRegistryView();
    const applied: number[] = [];
    const dropped: number[] = [];
    const kafka = fakeKafka((value) => {
      const parsed = parseRegistryEnvelope(value);
      if (!parsed.ok) throw new Error(`the relay published a record no consumer can read: ${parsed.reason}`);
      const env = parsed.value;
      (env.globalPosition > view.position ? applied : dropped).push(env.globalPosition);
      evolveRegistryView(view, env.event, env.globalPosition);
    });
    const relay = new OutboxRelayService(db, kafka.kafka);
    await relay.onApplicationBootstrap();
    const store = new EventStore(db);

    // All streams at once, over the pool's 10 connections.
    let writing = true;
    const writers = Promise.all(Array.from({ length: STREAMS }, (_, s) => writeStream(store, `c${s}`))).finally(() => (writing = false));
    writers.catch(() => undefined); // a failed append is reported by `await writers` below, not as unhandled
    // Publish as fast as the relay can, to catch the store between two commits.
    while (writing || (await store.outboxPending()) > 0) {
      if ((await relay.publishBatch()) === 0) await new Promise((r) => setTimeout(r, 1));
    }
    await writers;
    await kafka.stop();
    // The relay's own loop sees the stop within one 200 ms poll: let it go before the database does.
    await new Promise((r) => setTimeout(r, 300));

    const stored = (await store.readAll()).map((e) => e.globalPosition);
    expect(stored).toHaveLength(STREAMS * APPENDS_PER_STREAM);
    expect(dropped).toEqual([]);
    expect(applied).toEqual(stored);
    const live = [...view.credentials.values()].filter((c) => !c.revoked).map((c) => `${c.client}/${c.keyId}`);
    expect(live).toEqual([]);
  });

  it('re-publishes a lost topic under the append lock, so no append can slip between the re-published positions', async () => {
    const store = new EventStore(db);
    const stored = (await store.readAll()).map((e) => e.globalPosition);
    expect(stored.length).toBeGreaterThan(0);
    const published: number[] = [];
    // A broker with an empty topic: the relay finds it lost at start and publishes the store again.
    const kafka = fakeKafka((value) => published.push(JSON.parse(value).globalPosition));
    const holder = db.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    await holder.query('SELECT pg_advisory_xact_lock($1::bigint)', [APPEND_LOCK_KEY]); // an append in flight
    let started = false;
    const start = new OutboxRelayService(db, kafka.kafka).onApplicationBootstrap().then(() => (started = true));
    await new Promise((r) => setTimeout(r, 500));
    try {
      expect(started).toBe(false); // waits for the append to commit
      expect(await store.outboxPending()).toBe(0);
    } finally {
      await holder.commitTransaction();
      await holder.release();
    }
    await start;
    for (let i = 0; published.length < stored.length && i < 100; i++) await new Promise((r) => setTimeout(r, 50));
    await kafka.stop();
    await new Promise((r) => setTimeout(r, 300));
    expect(published).toEqual(stored);
  });
});
