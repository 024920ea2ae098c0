import { invalid, ok, Parsed } from './result';

/**
 * Enterprise code / tax code (mã số doanh nghiệp, MST): 10 digits, or 13 for a
 * branch (`0100233488-001`). Digits 1–2: province; digits 3–9 not all zero;
 * digit 10 = 10 − (Σ wᵢ·dᵢ mod 11) with weights 31, 29, 23, 19, 17, 13, 7, 5, 3.
 * When that gives 10 the prefix has no valid code.
 */
const WEIGHTS = [31, 29, 23, 19, 17, 13, 7, 5, 3];

/** The check digit for a 9-digit prefix, or undefined when the prefix has no valid code. */
export function enterpriseCheckDigit(prefix9: string): number | undefined {
  if (!/^\d{9}$/.test(prefix9)) throw new Error('enterprise code prefix must be 9 digits');
  const sum = WEIGHTS.reduce((s, w, i) => s + w * Number(prefix9[i]), 0);
  const d = 10 - (sum % 11);
  return d === 10 ? undefined : d;
}

export interface EnterpriseCode {
  /** The 10-digit code of the enterprise (for a branch: of its parent). */
  code: string;
  /** The 3-digit branch suffix, when this is a branch. */
  branch?: string;
  /** Normalised form: `0100233488` or `0100233488-001`. */
  normalized: string;
}

/**
 * The form of an enterprise code, as a regular expression's source: 10 digits,
 * then for a branch 3 more, with or without a dash. The parser's first check
 * (the check digit and the rest come after it), and the OpenAPI documents' pattern.
 */
export const ENTERPRISE_CODE_PATTERN = '^(\\d{10})(?:-?(\\d{3}))?$';
const ENTERPRISE_CODE_FORM = new RegExp(ENTERPRISE_CODE_PATTERN);

export function parseEnterpriseCode(input: string): Parsed<EnterpriseCode> {
  if (typeof input !== 'string') return invalid('must be a string');
  const m = ENTERPRISE_CODE_FORM.exec(input);
  if (!m) return invalid(`"${input}" must be 10 digits, or 13 for a branch (0100233488-001)`);
  const [, code, branch] = m;
  if (/^0{7}$/.test(code.slice(2, 9))) return invalid(`"${input}": digits 3 to 9 cannot all be zero`);
  const check = enterpriseCheckDigit(code.slice(0, 9));
  if (check === undefined || check !== Number(code[9])) return invalid(`"${input}": wrong check digit (digit 10 should be ${check ?? 'impossible for this prefix'})`);
  if (branch === '000') return invalid(`"${input}": branch number 000 is not a branch`);
  return ok({ code, branch, normalized: branch ? `${code}-${branch}` : code });
}
