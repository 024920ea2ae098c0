import { MigrationInterface, QueryRunner } from 'typeorm';

/** The three priority national databases, as synthetic tables. */
export class NationalDatabases1763930000000 implements MigrationInterface {
  name = 'NationalDatabases1763930000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE national.citizens (
        personal_id char(12) PRIMARY KEY,
        full_name text NOT NULL,
        date_of_birth date NOT NULL,
        sex text NOT NULL CHECK (sex IN ('male', 'female')),
        province_code char(3) NOT NULL,
        hometown text NOT NULL,
        permanent_address text NOT NULL,
        ethnicity text NOT NULL,
        nationality text NOT NULL
      )`);
    await q.query(`
      CREATE TABLE national.enterprises (
        code varchar(14) PRIMARY KEY,
        parent_code varchar(10),
        name text NOT NULL,
        status text NOT NULL,
        address text NOT NULL,
        legal_representative text NOT NULL,
        registration_date date NOT NULL,
        business_lines jsonb NOT NULL
      )`);
    await q.query(`
      CREATE TABLE national.insurance_participants (
        insurance_number char(10) PRIMARY KEY,
        personal_id char(12) NOT NULL UNIQUE,
        full_name text NOT NULL,
        card_number varchar(15) NOT NULL,
        valid_from date NOT NULL,
        valid_to date NOT NULL,
        clinic_code text NOT NULL,
        clinic_name text NOT NULL,
        benefit_level int NOT NULL
      )`);
    await q.query(`CREATE TABLE national.seed_info (name text PRIMARY KEY, seed int NOT NULL, rows bigint NOT NULL, seeded_at timestamptz NOT NULL DEFAULT now())`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE national.seed_info, national.insurance_participants, national.enterprises, national.citizens');
  }
}
