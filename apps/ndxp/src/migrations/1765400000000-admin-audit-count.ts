import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * How many requests a row of the admin audit trail stands for: refused attempts from one remote address are
 * recorded at most once every 10 s, the record carrying their count (ADMIN_AUDIT_SCHEMA_VERSION 2). The rows
 * there are stand for one request each; then no default, as every row is written with its count.
 */
export class AdminAuditCount1765400000000 implements MigrationInterface {
  name = 'AdminAuditCount1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE ndxp.admin_audit ADD COLUMN count int NOT NULL DEFAULT 1');
    await q.query('ALTER TABLE ndxp.admin_audit ALTER COLUMN count DROP DEFAULT');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE ndxp.admin_audit DROP COLUMN count');
  }
}
