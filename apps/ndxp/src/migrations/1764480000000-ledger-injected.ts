import { MigrationInterface, QueryRunner } from 'typeorm';

/** A ledger row says when its answer was injected (a test client's X-Emulator-Fault, or a provider's fault rule), and what. */
export class LedgerInjected1764480000000 implements MigrationInterface {
  name = 'LedgerInjected1764480000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE ndxp.transactions ADD COLUMN IF NOT EXISTS injected text');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE ndxp.transactions DROP COLUMN IF EXISTS injected');
  }
}
