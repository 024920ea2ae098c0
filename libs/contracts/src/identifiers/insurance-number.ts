import { parsePersonalId } from './personal-id';
import { invalid, ok, Parsed } from './result';

/**
 * Social insurance number (mã số BHXH): 10 digits; structure beyond that is
 * UNCONFIRMED. Recent rules let the 12-digit personal ID serve as the
 * insurance number, so a lookup key may be either.
 */
export type InsuranceKey = { kind: 'insurance-number'; value: string } | { kind: 'personal-id'; value: string };

export function parseInsuranceNumber(input: string): Parsed<string> {
  if (typeof input !== 'string' || !/^\d{10}$/.test(input)) return invalid(`"${input}" must be exactly 10 digits`);
  return ok(input);
}

export function parseInsuranceKey(input: string): Parsed<InsuranceKey> {
  if (typeof input === 'string' && /^\d{10}$/.test(input)) return ok({ kind: 'insurance-number', value: input });
  if (typeof input === 'string' && /^\d{12}$/.test(input)) {
    const pid = parsePersonalId(input);
    return pid.ok ? ok({ kind: 'personal-id', value: input }) : invalid(pid.reason);
  }
  return invalid(`"${input}" must be a 10-digit insurance number or a 12-digit personal ID`);
}
