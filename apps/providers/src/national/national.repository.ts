import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface CitizenRow {
  personal_id: string;
  full_name: string;
  date_of_birth: string;
  sex: 'male' | 'female';
  province_code: string;
  hometown: string;
  permanent_address: string;
  ethnicity: string;
  nationality: string;
}

export interface EnterpriseRow {
  code: string;
  parent_code: string | null;
  name: string;
  status: string;
  address: string;
  legal_representative: string;
  registration_date: string;
  business_lines: unknown;
}

export interface InsuranceRow {
  insurance_number: string;
  personal_id: string;
  full_name: string;
  card_number: string;
  valid_from: string;
  valid_to: string;
  clinic_code: string;
  clinic_name: string;
  benefit_level: number;
}

/** Batched reads: one query for every key of a Kafka batch, not one per request. */
@Injectable()
export class NationalRepository {
  constructor(private readonly db: DataSource) {}

  async citizens(ids: string[]): Promise<Map<string, CitizenRow>> {
    if (ids.length === 0) return new Map();
    const rows: CitizenRow[] = await this.db.query(
      `SELECT personal_id, full_name, to_char(date_of_birth, 'YYYY-MM-DD') AS date_of_birth, sex, province_code, hometown,
              permanent_address, ethnicity, nationality
       FROM national.citizens WHERE personal_id = ANY($1::char(12)[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.personal_id, r]));
  }

  async enterprises(codes: string[]): Promise<{ byCode: Map<string, EnterpriseRow>; branchesOf: Map<string, string[]> }> {
    if (codes.length === 0) return { byCode: new Map(), branchesOf: new Map() };
    const rows: EnterpriseRow[] = await this.db.query(
      `SELECT code, parent_code, name, status, address, legal_representative,
              to_char(registration_date, 'YYYY-MM-DD') AS registration_date, business_lines
       FROM national.enterprises WHERE code = ANY($1::varchar[])`,
      [codes],
    );
    const branches: Array<{ code: string; parent_code: string }> = await this.db.query(
      'SELECT code, parent_code FROM national.enterprises WHERE parent_code = ANY($1::varchar[])',
      [codes],
    );
    const branchesOf = new Map<string, string[]>();
    for (const b of branches) branchesOf.set(b.parent_code, [...(branchesOf.get(b.parent_code) ?? []), b.code]);
    return { byCode: new Map(rows.map((r) => [r.code, r])), branchesOf };
  }

  async insurance(numbers: string[], personalIds: string[]): Promise<{ byNumber: Map<string, InsuranceRow>; byPersonalId: Map<string, InsuranceRow> }> {
    if (numbers.length === 0 && personalIds.length === 0) return { byNumber: new Map(), byPersonalId: new Map() };
    const rows: InsuranceRow[] = await this.db.query(
      `SELECT insurance_number, personal_id, full_name, card_number, to_char(valid_from, 'YYYY-MM-DD') AS valid_from,
              to_char(valid_to, 'YYYY-MM-DD') AS valid_to, clinic_code, clinic_name, benefit_level
       FROM national.insurance_participants
       WHERE insurance_number = ANY($1::char(10)[]) OR personal_id = ANY($2::char(12)[])`,
      [numbers, personalIds],
    );
    return { byNumber: new Map(rows.map((r) => [r.insurance_number, r])), byPersonalId: new Map(rows.map((r) => [r.personal_id, r])) };
  }
}
