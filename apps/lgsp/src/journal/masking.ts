import { maskIdentifier } from '@ndxp/platform';

/** What the journal keeps of bodies: personal data masked (the default), as sent, or no bodies at all. */
export const JOURNAL_BODY_MODES = ['masked', 'clear', 'off'] as const;
export type JournalBodyMode = (typeof JOURNAL_BODY_MODES)[number];

/**
 * Fields of the national databases' answers (and of the requests to them) that identify a person: their
 * values are masked whole, whatever they hold. Compared case-insensitively.
 */
export const PERSONAL_FIELDS = [
  'personalId',
  'insuranceNumber',
  'cardNumber',
  'fullName',
  'dateOfBirth',
  'permanentAddress',
  'hometown',
  'legalRepresentative',
  'insuranceNumberOrPersonalId',
] as const;
const PERSONAL = new Set(PERSONAL_FIELDS.map((f) => f.toLowerCase()));

/** Headers whose values are never kept: credentials. Masked in every mode. */
export const SECRET_HEADERS = new Set(['x-api-key', 'authorization', 'proxy-authorization', 'cookie', 'set-cookie']);
/** Headers that identify a person (the end user, the case): masked unless bodies are kept clear. */
export const PERSONAL_HEADERS = new Set(['x-road-userid', 'x-road-issue']);

/** Keeps the last 3 characters (`*********483`); a value of 4 characters or fewer is hidden whole. */
export const mask = maskIdentifier;

/** A 12-digit personal identification number or a 10-digit social insurance number, standing alone. */
const IDENTIFIER_NUMBER = /(?<!\d)(?:\d{12}|\d{10})(?!\d)/g;

/** Masks the personal numbers in free text (a path, a query value, a text body). */
export function maskNumbers(text: string): string {
  return text.replace(IDENTIFIER_NUMBER, (m) => mask(m));
}

const maskAll = (v: unknown): unknown => {
  if (typeof v === 'string') return mask(v);
  if (typeof v === 'number' || typeof v === 'bigint') return mask(String(v));
  if (Array.isArray(v)) return v.map(maskAll);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskAll(x)]));
  return v;
};

/** A parsed JSON value with personal fields masked whole and personal numbers masked wherever they stand. */
export function maskJson(v: unknown): unknown {
  if (typeof v === 'string') return maskNumbers(v);
  if (typeof v === 'number') return Number.isInteger(v) && /^(\d{12}|\d{10})$/.test(String(v)) ? mask(String(v)) : v;
  if (Array.isArray(v)) return v.map(maskJson);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, PERSONAL.has(k.toLowerCase()) ? maskAll(x) : maskJson(x)]));
  return v;
}

const FIELD_ALTERNATIVES = PERSONAL_FIELDS.join('|');
/** `<fullName>…</fullName>` (any namespace prefix) in an XML or SOAP body. */
const XML_FIELD = new RegExp(`(<(?:[\\w.-]+:)?(?:${FIELD_ALTERNATIVES})(?:\\s[^>]*)?>)([^<]*)(</)`, 'gi');
/** `fullName=…` in a query string or a form body. */
const FORM_FIELD = new RegExp(`((?:^|[?&;])(?:${FIELD_ALTERNATIVES})=)([^&;#]*)`, 'gi');

/**
 * A body with its personal data masked: JSON is parsed, masked and written back compactly; any other
 * text gets its personal numbers, its XML elements and form fields of personal names masked.
 */
export function maskBodyText(text: string, mimeType: string): string {
  if (/json/i.test(mimeType) || /^\s*[[{]/.test(text)) {
    try {
      return JSON.stringify(maskJson(JSON.parse(text)));
    } catch {
      // not JSON after all: masked as text
    }
  }
  return maskNumbers(text.replace(XML_FIELD, (_, open: string, value: string, close: string) => `${open}${mask(value)}${close}`).replace(FORM_FIELD, maskFormValue));
}

const maskFormValue = (_: string, name: string, value: string) => `${name}${value ? mask(value) : ''}`;

/** The request target with personal numbers in its path and query masked, and the values of personal query fields. */
export function maskUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return maskNumbers(url);
  return maskNumbers(url.slice(0, q)) + maskNumbers(url.slice(q).replace(FORM_FIELD, maskFormValue));
}

/** Header lines as the journal keeps them: credentials always masked, personal headers unless `clear`. */
export function maskHeaders(lines: Array<[string, string]>, mode: JournalBodyMode): Array<[string, string]> {
  return lines.map(([name, value]) => {
    const n = name.toLowerCase();
    if (SECRET_HEADERS.has(n)) return [name, maskCredential(value)];
    if (mode !== 'clear' && PERSONAL_HEADERS.has(n)) return [name, mask(value)];
    return [name, value];
  });
}

/** `Bearer eyJ…` keeps its scheme: `Bearer ****abc`. */
function maskCredential(value: string): string {
  const m = /^(\w+ )(.+)$/.exec(value);
  return m ? `${m[1]}${mask(m[2])}` : mask(value);
}
