import { PROVINCE_CODES } from './provinces';
import { invalid, ok, Parsed } from './result';

/**
 * Personal identification number (số định danh cá nhân, on the chip ID card):
 * 12 digits `PPP G YY NNNNNN`. PPP: province of birth registration (the 63 of
 * Circular 07/2016/TT-BCA); G: century and sex (0/1 male/female born
 * 1900–1999, 2/3 born 2000–2099); YY: last two digits of the birth year;
 * NNNNNN: random. No check digit.
 */
export type Sex = 'male' | 'female';

export interface PersonalId {
  value: string;
  provinceCode: string;
  sex: Sex;
  birthYear: number;
}

/** The form of a personal ID (12 digits), as a regular expression's source: the parser's first check, and the OpenAPI documents' pattern. */
export const PERSONAL_ID_PATTERN = '^\\d{12}$';
const PERSONAL_ID_FORM = new RegExp(PERSONAL_ID_PATTERN);

export function parsePersonalId(input: string): Parsed<PersonalId> {
  if (typeof input !== 'string' || !PERSONAL_ID_FORM.test(input)) return invalid(`"${input}" must be exactly 12 digits`);
  const provinceCode = input.slice(0, 3);
  if (!PROVINCE_CODES.has(provinceCode)) return invalid(`"${input}": ${provinceCode} is not a province code`);
  const g = Number(input[3]);
  if (g > 3) return invalid(`"${input}": century/sex digit ${g} is not 0-3 (births 1900-2099)`);
  const century = g < 2 ? 1900 : 2000;
  const birthYear = century + Number(input.slice(4, 6));
  return ok({ value: input, provinceCode, sex: g % 2 === 0 ? 'male' : 'female', birthYear });
}

/** The century/sex digit for a person (throws outside 1900–2099). */
export function centurySexDigit(birthYear: number, sex: Sex): number {
  if (birthYear < 1900 || birthYear > 2099) throw new Error(`birth year ${birthYear} outside 1900-2099`);
  return (birthYear >= 2000 ? 2 : 0) + (sex === 'female' ? 1 : 0);
}

/** Builds a valid personal ID from its parts. */
export function formatPersonalId(provinceCode: string, birthYear: number, sex: Sex, serial: number): string {
  if (!PROVINCE_CODES.has(provinceCode)) throw new Error(`${provinceCode} is not a province code`);
  if (!Number.isInteger(serial) || serial < 0 || serial > 999_999) throw new Error('serial must be 0-999999');
  return `${provinceCode}${centurySexDigit(birthYear, sex)}${String(birthYear % 100).padStart(2, '0')}${String(serial).padStart(6, '0')}`;
}

/**
 * Checks a personal ID against what a record says about the person: a number
 * whose century/sex digit or year contradicts the birth date or sex is invalid.
 * Returns the contradictions, empty when consistent.
 */
export function personalIdContradictions(id: PersonalId, record: { birthYear: number; sex: Sex }): string[] {
  const problems: string[] = [];
  if (id.birthYear !== record.birthYear) problems.push(`birth year ${record.birthYear} but the number says ${id.birthYear}`);
  if (id.sex !== record.sex) problems.push(`sex ${record.sex} but the number says ${id.sex}`);
  return problems;
}
