import { invalid, ok, Parsed } from './result';

/**
 * Agency electronic identifier codes.
 *
 * QCVN 102:2016/BTTTT form (in daily use): `V1V2V3.Z1Z2.Y1Y2.MX1X2`, lowest
 * level first, unused levels zero-filled: `000.00.00.G14`, `000.00.18.G12`.
 * Level-1 letters A–K name the branch of the state (G: ministries and
 * government agencies, H: provincial People's Committees, K: People's Councils).
 *
 * Decision 20/2020/QĐ-TTg form: level 1 first, dot-separated groups, up to 35
 * characters of [.0-9A-Z], e.g. `G09.01`. How its lower levels map onto the
 * QCVN 102 levels is UNCONFIRMED; `toDecision20` appends the non-zero lower
 * levels in order, which is right for level-1 and level-2 codes.
 */
export interface AgencyCode {
  code102: string;
  level1: string;
  /** Level 2, 3, 4 parts of the QCVN 102 form ('00' / '000' when unused). */
  level2: string;
  level3: string;
  level4: string;
  /** 1 for a ministry/province, up to 4 for the lowest unit. */
  level: number;
}

const QCVN102 = /^(\d{3})\.(\d{2})\.(\d{2})\.([A-K]\d{2})$/;
const DECISION20 = /^[A-Z]\d{2}(\.[0-9A-Z]{2,3})*$/;

export function parseAgencyCode(input: string): Parsed<AgencyCode> {
  if (typeof input !== 'string') return invalid('must be a string');
  const m = QCVN102.exec(input);
  if (!m) return invalid(`"${input}" is not an agency code of the form 000.00.00.G14 (QCVN 102:2016)`);
  const [, level4, level3, level2, level1] = m;
  const level = level4 !== '000' ? 4 : level3 !== '00' ? 3 : level2 !== '00' ? 2 : 1;
  if (level4 !== '000' && (level3 === '00' || level2 === '00')) return invalid(`"${input}": a level-4 unit needs its level-2 and level-3 parents`);
  if (level3 !== '00' && level2 === '00') return invalid(`"${input}": a level-3 unit needs its level-2 parent`);
  return ok({ code102: input, level1, level2, level3, level4, level });
}

export function isAgencyCode(input: string): boolean {
  return parseAgencyCode(input).ok;
}

/** The Decision 20/2020 form of a QCVN 102 code (lower levels: UNCONFIRMED mapping, see above). */
export function toDecision20(code: AgencyCode): string {
  const parts = [code.level1];
  if (code.level2 !== '00') parts.push(code.level2);
  if (code.level3 !== '00') parts.push(code.level3);
  if (code.level4 !== '000') parts.push(code.level4);
  return parts.join('.');
}

export function parseDecision20(input: string): Parsed<string> {
  if (typeof input !== 'string' || input.length > 35 || !DECISION20.test(input)) return invalid(`"${input}" is not an agency code of the form G09.01 (Decision 20/2020/QĐ-TTg)`);
  return ok(input);
}

/** The code of the level-1 parent (`000.00.18.G12` → `000.00.00.G12`); undefined for a level-1 code. */
export function parentAgencyCode(code: AgencyCode): string | undefined {
  if (code.level === 1) return undefined;
  if (code.level === 2) return `000.00.00.${code.level1}`;
  if (code.level === 3) return `000.00.${code.level2}.${code.level1}`;
  return `000.${code.level3}.${code.level2}.${code.level1}`;
}
