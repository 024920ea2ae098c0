import { Injectable } from '@nestjs/common';
import { RegistryEvent, RegistryEventEnvelope, Topics } from '@ndxp/contracts';
import { DataSource } from 'typeorm';
import { DomainError } from '@ndxp/platform';

/** A write based on a stale version of its stream: the caller must re-read and retry. */
export class ConcurrencyError extends DomainError {
  constructor(streamId: string, expected: number, actual: number) {
    super('CONFLICT', `stream ${streamId} is at version ${actual}, not ${expected}: re-read it and try again`);
  }
}

/**
 * The advisory lock every append takes first. global_position and the outbox id
 * are bigserials, drawn at INSERT, not at commit: two concurrent appends could
 * commit out of position order, the relay would publish the higher position
 * first, and consumers (which skip positions at or below the last applied)
 * would drop the lower one for good. Holding this lock until commit makes
 * positions follow commit order. Registry writes are rare: one at a time is
 * fine. The key is 'registry' in ASCII: above the int4 range, so it cannot
 * meet a hashtext() key such as the relay's. A string: it exceeds 2^53.
 */
export const APPEND_LOCK_KEY = '8243108395577799289';

export interface StoredStream {
  version: number;
  events: RegistryEvent[];
}

/**
 * The registry's event store on PostgreSQL. One stream per aggregate; a write
 * states the version it was decided on, and the unique (stream, version) key
 * turns a concurrent write into a ConcurrencyError. Events and their outbox
 * rows are written in one transaction, so Kafka gets exactly what was stored.
 * Appends are serialised (APPEND_LOCK_KEY) so positions are in commit order.
 */
@Injectable()
export class EventStore {
  constructor(private readonly db: DataSource) {}

  async readStream(streamId: string): Promise<StoredStream> {
    const rows: Array<{ stream_version: number; data: RegistryEvent }> = await this.db.query(
      'SELECT stream_version, data FROM registry.events WHERE stream_id = $1 ORDER BY stream_version',
      [streamId],
    );
    return { version: rows.length ? rows[rows.length - 1].stream_version : 0, events: rows.map((r) => r.data) };
  }

  async readAll(): Promise<RegistryEventEnvelope[]> {
    const rows: Array<{ global_position: string; stream_id: string; stream_version: number; recorded_at: Date; data: RegistryEvent }> = await this.db.query(
      'SELECT global_position, stream_id, stream_version, recorded_at, data FROM registry.events ORDER BY global_position',
    );
    return rows.map((r) => ({
      globalPosition: Number(r.global_position),
      streamId: r.stream_id,
      streamVersion: r.stream_version,
      recordedAt: r.recorded_at.toISOString(),
      event: r.data,
    }));
  }

  async outboxPending(): Promise<number> {
    const [row] = await this.db.query('SELECT count(*)::int AS n FROM registry.outbox WHERE published_at IS NULL');
    return row.n;
  }

  async count(): Promise<number> {
    const [row] = await this.db.query('SELECT count(*)::int AS n FROM registry.events');
    return row.n;
  }

  /** Appends events decided at `expectedVersion`; returns their envelopes. */
  async append(streamId: string, expectedVersion: number, events: RegistryEvent[]): Promise<RegistryEventEnvelope[]> {
    if (events.length === 0) return [];
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [APPEND_LOCK_KEY]);
      const [current] = await tx.query('SELECT coalesce(max(stream_version), 0)::int AS v FROM registry.events WHERE stream_id = $1', [streamId]);
      if (current.v !== expectedVersion) throw new ConcurrencyError(streamId, expectedVersion, current.v);
      const envelopes: RegistryEventEnvelope[] = [];
      try {
        const rows: Array<{ global_position: string; stream_version: number; recorded_at: Date }> = await tx.query(
          `INSERT INTO registry.events (stream_id, stream_version, type, data)
           SELECT $1, $2::int + ord, e->>'type', e
           FROM jsonb_array_elements($3::jsonb) WITH ORDINALITY AS t(e, ord)
           RETURNING global_position, stream_version, recorded_at`,
          [streamId, expectedVersion, JSON.stringify(events)],
        );
        rows.sort((a, b) => a.stream_version - b.stream_version);
        rows.forEach((r, i) =>
          envelopes.push({
            globalPosition: Number(r.global_position),
            streamId,
            streamVersion: r.stream_version,
            recordedAt: r.recorded_at.toISOString(),
            event: events[i],
          }),
        );
      } catch (e) {
        // Another writer took the same version between our read and insert.
        if ((e as { code?: string }).code === '23505') throw new ConcurrencyError(streamId, expectedVersion, expectedVersion + 1);
        throw e;
      }
      await tx.query(
        `INSERT INTO registry.outbox (topic, key, payload)
         SELECT $1, e->>'streamId', e FROM jsonb_array_elements($2::jsonb) AS t(e)`,
        [Topics.registryEvents, JSON.stringify(envelopes)],
      );
      return envelopes;
    });
  }
}
