import { Registry } from 'prom-client';
import { hashApiKey, RegistryEvent, RegistryEventEnvelope } from '@ndxp/contracts';
import { DomainError } from '@ndxp/platform';
import { EventStore, StoredStream } from '../event-store/event-store';
import { OutboxRelayService } from '../event-store/outbox-relay.service';
import { RegistryService } from '../registry/registry.service';
import { AdminController } from './admin.controller';

/** The event store in memory: streams with their versions, positions in append order. */
function memoryStore(): EventStore {
  const streams = new Map<string, RegistryEvent[]>();
  let position = 0;
  const store = {
    readStream: async (streamId: string): Promise<StoredStream> => {
      const events = streams.get(streamId) ?? [];
      return { version: events.length, events };
    },
    readAll: async () => [],
    outboxPending: async () => 0,
    append: async (streamId: string, expectedVersion: number, events: RegistryEvent[]): Promise<RegistryEventEnvelope[]> => {
      const stream = streams.get(streamId) ?? [];
      if (stream.length !== expectedVersion) throw new Error('concurrent append');
      streams.set(streamId, [...stream, ...events]);
      return events.map((event, i) => ({ globalPosition: ++position, streamId, streamVersion: expectedVersion + i + 1, recordedAt: new Date().toISOString(), event }));
    },
  };
  return store as unknown as EventStore;
}

const HANOI = '000.00.00.H26';
const MPS = '000.00.00.G01';

async function registryWithAgencies() {
  const registry = new RegistryService(memoryStore(), { poke: () => undefined } as unknown as OutboxRelayService, new Registry());
  const agency = { nameVi: 'x', nameEn: 'x', level: 1, codeConfirmed: true };
  await registry.registerAgency({ code102: HANOI, category: 'province', hasLgsp: true, ...agency });
  await registry.registerAgency({ code102: MPS, category: 'ministry', hasLgsp: false, ...agency });
  return { registry, admin: new AdminController(registry) };
}

describe("the registry's admin API for LGSP operator keys", () => {
  it('given an LGSP, when a key is issued, then it is returned once with its id, only its hash reaches the view, and the list shows it active', async () => {
    const { registry, admin } = await registryWithAgencies();
    const issued = await admin.issueOperator({ lgsp: HANOI });
    expect(issued.apiKey).toMatch(/^ndxpop_[A-Za-z0-9_-]{32}$/);
    expect(issued).toMatchObject({ streamId: `operator-${HANOI}`, version: 1, keyId: hashApiKey(issued.apiKey).slice(0, 12) });
    expect(JSON.stringify(issued.events)).not.toContain(issued.apiKey);
    expect(registry.view.operators.get(hashApiKey(issued.apiKey))).toEqual({ lgsp: HANOI, keyId: issued.keyId, revoked: false });
    expect(registry.view.credentials.size).toBe(0); // never a client's key
    expect(admin.operators({ lgsp: HANOI })).toEqual({ lgsp: HANOI, keys: [{ keyId: issued.keyId, revoked: false }] });
  });

  it('given an issued key, when revoked, then the view marks it revoked; revoking it again is NOT_FOUND', async () => {
    const { registry, admin } = await registryWithAgencies();
    const issued = await admin.issueOperator({ lgsp: HANOI });
    await admin.revokeOperator({ lgsp: HANOI, keyId: issued.keyId });
    expect(registry.view.operators.get(hashApiKey(issued.apiKey))?.revoked).toBe(true);
    expect(admin.operators({ lgsp: HANOI }).keys).toEqual([{ keyId: issued.keyId, revoked: true }]);
    await expect(admin.revokeOperator({ lgsp: HANOI, keyId: issued.keyId })).rejects.toThrow(DomainError);
  });

  it('given an agency without an LGSP, or none registered, when a key is asked for, then NOT_FOUND saying it is no LGSP', async () => {
    const { admin } = await registryWithAgencies();
    await expect(admin.issueOperator({ lgsp: MPS })).rejects.toThrow(`${MPS} is no LGSP in the registry`);
    await expect(admin.issueOperator({ lgsp: '000.00.00.H99' })).rejects.toThrow(/is no LGSP/);
  });

  it('given a stale expectedVersion, when a key is issued, then CONFLICT', async () => {
    const { admin } = await registryWithAgencies();
    await admin.issueOperator({ lgsp: HANOI });
    await expect(admin.issueOperator({ lgsp: HANOI, expectedVersion: 0 })).rejects.toThrow(/is at version 1, not 0/);
  });
});
