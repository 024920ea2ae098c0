import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The admin audit trail projected from `ndxp.admin-audit`: one row per admin
 * request (its audit id), the outcome empty until its answer is recorded.
 * Read newest first, by time window.
 */
export class AdminAudit1764600000000 implements MigrationInterface {
  name = 'AdminAudit1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ndxp.admin_audit (
        audit_id uuid PRIMARY KEY,
        requested_at timestamptz NOT NULL,
        app text NOT NULL,
        instance text NOT NULL,
        scope text NOT NULL,
        method text NOT NULL,
        route text NOT NULL,
        credential text NOT NULL,
        remote_address text NOT NULL,
        allowed boolean NOT NULL,
        summary text NOT NULL,
        status_code int,
        answered_at timestamptz,
        duration_ms int
      )`);
    await q.query('CREATE INDEX admin_audit_time ON ndxp.admin_audit (requested_at DESC, audit_id DESC)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE ndxp.admin_audit');
  }
}
