-- The capacity model's ledgerRowBytes: bytes per ledger row, indexes included.
--   psql -h 127.0.0.1 -U postgres -f tools/capacity/ledger-row-size.sql
-- Builds a TEMP copy of ndxp.transactions (columns and indexes as the migrations in
-- apps/ndxp/src/migrations create them: keep in step), fills it with 20,000 synthetic
-- completed citizen lookups and divides its total size by its rows. Nothing persists.
-- Against a real ledger instead (its own rows, with whatever bloat it has):
--   SELECT pg_total_relation_size('ndxp.transactions') / count(*) FROM ndxp.transactions;
CREATE TEMP TABLE transactions (
  transaction_id uuid PRIMARY KEY, x_road_id text, day date, lgsp text, client text, service text, provider text, user_id text, issue text,
  request_size int, request_in_at timestamptz, routed_at timestamptz, provider_in_at timestamptz, provider_out_at timestamptz, provider_status int,
  response_size int, late_response boolean NOT NULL DEFAULT false, rejected_at_stage text, outcome text, succeeded boolean, status_code int,
  fault_code text, fault_string text, duration_ms int, completed_at timestamptz, injected text);
CREATE INDEX ON transactions (day);
CREATE INDEX ON transactions (client, request_in_at);
CREATE INDEX ON transactions (service, request_in_at);
CREATE INDEX ON transactions (request_in_at);
INSERT INTO transactions
SELECT gen_random_uuid(), 'VN-' || gen_random_uuid(), date '2022-09-15', '000.00.00.H' || lpad((i % 63)::text, 2, '0'),
  'VN/GOV/000.00.00.H' || lpad((i % 63)::text, 2, '0') || '/MOTCUA', 'VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup', 'VN/GOV/000.00.00.G01/CSDLQGDC',
  'user' || (i % 5000), NULL, 0, t, t + interval '3 ms', t + interval '5 ms', t + interval '9 ms', 200, 850, false, NULL, 'success', true, 200,
  NULL, NULL, 12, t + interval '12 ms', NULL
FROM (SELECT i, timestamptz '2022-09-15 01:00:00+00' + i * interval '37 ms' AS t FROM generate_series(1, 20000) i) s;
ANALYZE transactions;
SELECT count(*) AS rows, pg_relation_size('transactions') / count(*) AS heap_bytes_per_row,
  (pg_total_relation_size('transactions') - pg_relation_size('transactions')) / count(*) AS index_bytes_per_row,
  pg_total_relation_size('transactions') / count(*) AS total_bytes_per_row, version() FROM transactions;
