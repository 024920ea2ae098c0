import { parsePersonalId, PERSONAL_ID_PATTERN } from './personal-id';
import { invalid, ok, Parsed } from './result';

/**
 * Social insurance number (mã số BHXH): 10 digits; structure beyond that is
 * UNCONFIRMED. Recent rules let the 12-digit personal ID serve as the
 * insurance number, so a lookup key may be either.
 */
export type InsuranceKey = { kind: 'insurance-number'; value: string } | { kind: 'personal-id'; value: string };

/** The form of a social insurance number (10 digits), as a regular expression's source. */
export const INSURANCE_NUMBER_PATTERN = '^\\d{10}$';
/** The form of an insurance lookup key: an insurance number or a personal ID (the OpenAPI documents' pattern). */
export const INSURANCE_KEY_PATTERN = `^(?:${INSURANCE_NUMBER_PATTERN.slice(1, -1)}|${PERSONAL_ID_PATTERN.slice(1, -1)})$`;
const INSURANCE_NUMBER_FORM = new RegExp(INSURANCE_NUMBER_PATTERN);
const PERSONAL_ID_FORM = new RegExp(PERSONAL_ID_PATTERN);

export function parseInsuranceNumber(input: string): Parsed<string> {
  if (typeof input !== 'string' || !INSURANCE_NUMBER_FORM.test(input)) return invalid(`"${input}" must be exactly 10 digits`);
  return ok(input);
}

export function parseInsuranceKey(input: string): Parsed<InsuranceKey> {
  if (typeof input === 'string' && INSURANCE_NUMBER_FORM.test(input)) return ok({ kind: 'insurance-number', value: input });
  if (typeof input === 'string' && PERSONAL_ID_FORM.test(input)) {
    const pid = parsePersonalId(input);
    return pid.ok ? ok({ kind: 'personal-id', value: input }) : invalid(pid.reason);
  }
  return invalid(`"${input}" must be a 10-digit insurance number or a 12-digit personal ID`);
}
