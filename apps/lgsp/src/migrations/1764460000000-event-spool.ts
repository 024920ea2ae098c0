import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Transaction events the gateway could not hand to Kafka in time (broker
 * down): kept here, durably, before the client gets its answer, and published
 * when Kafka is back.
 */
export class EventSpool1764460000000 implements MigrationInterface {
  name = 'EventSpool1764460000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE lgsp.event_spool (
        id bigserial PRIMARY KEY,
        topic text NOT NULL,
        key text NOT NULL,
        value text NOT NULL,
        spooled_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE lgsp.event_spool');
  }
}
