import { Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'stream';
import { pipeline } from 'stream/promises';
import { citizens, enterprises, insuranceParticipants } from './generator';

/** COPY text format: tab-separated, \N for null, backslash escapes. */
function copyField(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

async function copyRows(client: PoolClient, table: string, columns: string[], rows: Iterable<unknown[]>, onRows?: (n: number) => void): Promise<number> {
  let n = 0;
  const lines = Readable.from(
    (function* () {
      let chunk: string[] = [];
      for (const r of rows) {
        chunk.push(r.map(copyField).join('\t'));
        n++;
        if (chunk.length === 5000) {
          yield chunk.join('\n') + '\n';
          chunk = [];
          onRows?.(n);
        }
      }
      if (chunk.length) yield chunk.join('\n') + '\n';
      onRows?.(n);
    })(),
  );
  await pipeline(lines, client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`)));
  return n;
}

export interface SeedSizes {
  citizens: number;
  enterprises: number;
}

export interface SeedReport {
  citizens: number;
  enterprises: number;
  insured: number;
  ms: number;
}

/**
 * Fills the national tables from the generator with COPY (hundreds of thousands
 * of rows a second). Replaces whatever they held. `onProgress` gets the row
 * count of the table being written.
 */
export async function seedNationalDatabases(pool: Pool, seed: number, sizes: SeedSizes, onProgress?: (table: string, rows: number, total: number) => void): Promise<SeedReport> {
  const started = Date.now();
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('TRUNCATE national.citizens, national.enterprises, national.insurance_participants, national.seed_info');
    const c = await copyRows(
      client,
      'national.citizens',
      ['personal_id', 'full_name', 'date_of_birth', 'sex', 'province_code', 'hometown', 'permanent_address', 'ethnicity', 'nationality'],
      (function* () {
        for (const p of citizens(seed, sizes.citizens))
          yield [p.personalId, p.fullName, p.dateOfBirth, p.sex, p.provinceCode, p.hometown, p.permanentAddress, p.ethnicity, p.nationality];
      })(),
      (n) => onProgress?.('citizens', n, sizes.citizens),
    );
    const e = await copyRows(
      client,
      'national.enterprises',
      ['code', 'parent_code', 'name', 'status', 'address', 'legal_representative', 'registration_date', 'business_lines'],
      (function* () {
        for (const x of enterprises(seed, sizes.enterprises)) yield [x.code, x.parentCode, x.name, x.status, x.address, x.legalRepresentative, x.registrationDate, x.businessLines];
      })(),
      (n) => onProgress?.('enterprises', n, sizes.enterprises),
    );
    const i = await copyRows(
      client,
      'national.insurance_participants',
      ['insurance_number', 'personal_id', 'full_name', 'card_number', 'valid_from', 'valid_to', 'clinic_code', 'clinic_name', 'benefit_level'],
      (function* () {
        for (const x of insuranceParticipants(seed, citizens(seed, sizes.citizens)))
          yield [x.insuranceNumber, x.personalId, x.fullName, x.cardNumber, x.validFrom, x.validTo, x.clinicCode, x.clinicName, x.benefitLevel];
      })(),
      (n) => onProgress?.('insurance', n, Math.round(sizes.citizens * 0.9)),
    );
    await client.query(`INSERT INTO national.seed_info (name, seed, rows) VALUES ('citizens', $1, $2), ('enterprises', $1, $3), ('insurance', $1, $4)`, [seed, c, e, i]);
    await client.query('COMMIT');
    await client.query('ANALYZE national.citizens, national.enterprises, national.insurance_participants');
    return { citizens: c, enterprises: e, insured: i, ms: Date.now() - started };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

export async function seededCounts(pool: Pool): Promise<Record<string, number>> {
  const { rows } = await pool.query('SELECT name, rows FROM national.seed_info');
  return Object.fromEntries(rows.map((r) => [r.name, Number(r.rows)]));
}
