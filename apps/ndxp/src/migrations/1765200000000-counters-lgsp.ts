import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The daily counters by LGSP too: an LGSP's operator reads its LGSP's statistics. Counters made before
 * are given the client's member as their LGSP, which the hub requires a trusted request's LGSP to be;
 * only a request the hub refused for naming another LGSP's client counts otherwise, and
 * POST /admin/projection/rebuild recounts everything from the events exactly.
 */
export class CountersLgsp1765200000000 implements MigrationInterface {
  name = 'CountersLgsp1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ndxp.daily_counters ADD COLUMN IF NOT EXISTS lgsp text NOT NULL DEFAULT ''`);
    await q.query(`UPDATE ndxp.daily_counters SET lgsp = CASE WHEN client = 'unknown' THEN 'unknown' ELSE split_part(client, '/', 3) END`);
    await q.query('ALTER TABLE ndxp.daily_counters DROP CONSTRAINT daily_counters_pkey');
    await q.query('ALTER TABLE ndxp.daily_counters ADD PRIMARY KEY (day, lgsp, client, service, provider, outcome)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE ndxp.daily_counters DROP CONSTRAINT daily_counters_pkey');
    await q.query(`
      CREATE TEMP TABLE counters_without_lgsp AS
      SELECT day, client, service, provider, outcome, sum(count)::bigint AS count FROM ndxp.daily_counters GROUP BY 1, 2, 3, 4, 5`);
    await q.query('TRUNCATE ndxp.daily_counters');
    await q.query('ALTER TABLE ndxp.daily_counters DROP COLUMN lgsp');
    await q.query('INSERT INTO ndxp.daily_counters SELECT day, client, service, provider, outcome, count FROM counters_without_lgsp');
    await q.query('DROP TABLE counters_without_lgsp');
    await q.query('ALTER TABLE ndxp.daily_counters ADD PRIMARY KEY (day, client, service, provider, outcome)');
  }
}
