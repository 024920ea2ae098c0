import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The registry's write side: an append-only event store, one stream per
 * aggregate, with a unique (stream_id, stream_version) that turns a stale write
 * into a conflict, and an outbox that a relay publishes to Kafka.
 */
export class RegistryEventStore1763920000000 implements MigrationInterface {
  name = 'RegistryEventStore1763920000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE registry.events (
        global_position bigserial PRIMARY KEY,
        stream_id text NOT NULL,
        stream_version integer NOT NULL,
        type text NOT NULL,
        data jsonb NOT NULL,
        metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT events_stream_version_unique UNIQUE (stream_id, stream_version)
      )`);
    await q.query(`
      CREATE TABLE registry.outbox (
        id bigserial PRIMARY KEY,
        topic text NOT NULL,
        key text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz
      )`);
    await q.query(`CREATE INDEX outbox_unpublished ON registry.outbox (id) WHERE published_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE registry.outbox`);
    await q.query(`DROP TABLE registry.events`);
  }
}
