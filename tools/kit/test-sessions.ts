import { Capture, entryOf } from '../../apps/lgsp/src/journal/capture';
import { buildHar } from '../../apps/lgsp/src/journal/har';
import { JournalEntry } from '../../apps/lgsp/src/journal/journal';
import { JournalBodyMode } from '../../apps/lgsp/src/journal/masking';
import { parseHar, Session } from './har-read';

/**
 * Sessions for the specs, written by the gateway's own journal code (capture → entry → HAR), so that the
 * kit reads exactly what `GET /journal.har` gives.
 */

export const CLIENT = 'VN/GOV/000.00.00.H26/MOTCUA';
export const POPULATION = 'VN/GOV/000.00.00.G01/CSDLQGDC';
export const LOOKUP = `/r1/${POPULATION}/citizen-lookup`;
export const VERIFY = `/r1/${POPULATION}/citizen-verify`;
export const T0 = Date.parse('2026-11-23T03:00:00Z');

export const CITIZEN = {
  personalId: '001090000001',
  fullName: 'Nguyễn Văn An',
  dateOfBirth: '1990-05-17',
  sex: 'male',
  hometown: 'Hà Nội',
  permanentAddress: '1 Tràng Tiền, Hoàn Kiếm, Hà Nội',
  ethnicity: 'Kinh',
  nationality: 'Việt Nam',
};

export interface Rec {
  /** ms after T0. */
  at: number;
  /** Request in to answer out, ms. */
  ms?: number;
  method?: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  status?: number;
  resHeaders?: Record<string, string>;
  resBody?: string;
  client?: string;
  origin?: string;
}

/** A fault answer as the gateway writes it. */
export const faultAnswer = (type: string, status = 500): Pick<Rec, 'status' | 'resHeaders' | 'resBody'> => ({
  status,
  resHeaders: { 'content-type': 'application/json', 'x-road-error': type },
  resBody: JSON.stringify({ type, message: 'what went wrong', detail: 'ref-1' }),
});

export function entries(recs: Rec[], mode: JournalBodyMode = 'clear'): JournalEntry[] {
  return recs.map((r, i) => {
    const headers: Record<string, string> = {
      'X-Road-Client': r.client ?? CLIENT,
      'X-API-Key': 'ndxp_secret_key_123',
      ...(r.body ? { 'Content-Type': 'application/json' } : {}),
      ...r.headers,
    };
    const c: Capture = {
      startedAt: T0 + r.at,
      ...(r.body !== undefined || r.method === 'POST' ? { bodyReadMs: 1 } : {}),
      answeredMs: r.ms ?? 20,
      method: r.method ?? 'GET',
      origin: r.origin ?? 'http://127.0.0.1:3003',
      url: r.url,
      httpVersion: '1.1',
      rawHeaders: ['Host', '127.0.0.1:3003', ...Object.entries(headers).flat()],
      ...(r.body !== undefined ? { body: Buffer.from(r.body) } : {}),
      status: r.status ?? 200,
      responseHeaders: { 'content-type': 'application/json', 'x-road-transaction-id': `tx-${i + 1}`, ...r.resHeaders },
      responseBody: Buffer.from(r.resBody ?? JSON.stringify(CITIZEN)),
      replayed: false,
    };
    const service = r.url.startsWith('/r1/') ? r.url.split('?')[0].split('/').slice(2, 7).map(decodeURIComponent).join('/') : '';
    return { ...entryOf(c, { client: r.client ?? CLIENT, service, xRoadId: headers['X-Road-Id'] }, mode), seq: i + 1 };
  });
}

export const harText = (recs: Rec[], mode: JournalBodyMode = 'clear'): string => JSON.stringify(buildHar(entries(recs, mode), { version: '0.1.0', dropped: 0, bodies: mode }));
export const session = (recs: Rec[], mode: JournalBodyMode = 'clear'): Session => parseHar(harText(recs, mode));
