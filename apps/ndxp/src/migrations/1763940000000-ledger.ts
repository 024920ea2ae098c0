import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Read models projected from `ndxp.transactions`: the ledger (one row per
 * transaction, X-Road operational-monitoring fields) and daily counters by
 * client, service, provider and outcome. `day` is the calendar day in Vietnam
 * (UTC+7, no daylight saving) of the request, as government reports count.
 */
export class Ledger1763940000000 implements MigrationInterface {
  name = 'Ledger1763940000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ndxp.transactions (
        transaction_id uuid PRIMARY KEY,
        x_road_id text,
        day date,
        lgsp text,
        client text,
        service text,
        provider text,
        user_id text,
        issue text,
        request_size int,
        request_in_at timestamptz,
        routed_at timestamptz,
        provider_in_at timestamptz,
        provider_out_at timestamptz,
        provider_status int,
        response_size int,
        late_response boolean NOT NULL DEFAULT false,
        rejected_at_stage text,
        outcome text,
        succeeded boolean,
        status_code int,
        fault_code text,
        fault_string text,
        duration_ms int,
        completed_at timestamptz
      )`);
    await q.query('CREATE INDEX transactions_day ON ndxp.transactions (day)');
    await q.query('CREATE INDEX transactions_client_time ON ndxp.transactions (client, request_in_at)');
    await q.query('CREATE INDEX transactions_service_time ON ndxp.transactions (service, request_in_at)');
    await q.query('CREATE INDEX transactions_time ON ndxp.transactions (request_in_at)');
    await q.query(`
      CREATE TABLE ndxp.daily_counters (
        day date NOT NULL,
        client text NOT NULL,
        service text NOT NULL,
        provider text NOT NULL,
        outcome text NOT NULL,
        count bigint NOT NULL,
        PRIMARY KEY (day, client, service, provider, outcome)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE ndxp.daily_counters, ndxp.transactions');
  }
}
