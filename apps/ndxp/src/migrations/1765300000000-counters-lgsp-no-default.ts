import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * CountersLgsp1765200000000 added `lgsp` with `DEFAULT ''` to fill the rows there were, then gave each its
 * LGSP; the default stayed. Every counter is written with its LGSP (the projector), so none is left to it:
 * dropped, so that a writer that forgets the LGSP is refused rather than counted under no LGSP.
 */
export class CountersLgspNoDefault1765300000000 implements MigrationInterface {
  name = 'CountersLgspNoDefault1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE ndxp.daily_counters ALTER COLUMN lgsp DROP DEFAULT');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ndxp.daily_counters ALTER COLUMN lgsp SET DEFAULT ''`);
  }
}
