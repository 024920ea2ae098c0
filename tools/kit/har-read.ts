import { readFileSync } from 'fs';

/**
 * Reading a recorded session: a HAR 1.2 document, as a gateway's `GET /journal.har` writes it (its
 * `_xRoad` fields read when present) or as any other tool does (a browser's network panel: the X-Road
 * parts are then read off the headers). Pure but for `readHarFile`.
 */

/** What is wrong with the input, said so that the user can fix it (the CLI exits with 2). */
export class HarError extends Error {}

/** A body as the HAR holds it, and whether the journal masked personal data in it. */
export interface RecordedBody {
  mimeType: string;
  /** Absent when the HAR kept no text (bodies off, bytes the journal would not keep, nothing sent). */
  text?: string;
  encoding?: string;
  comment?: string;
  /** Bytes sent (the HAR's bodySize / content.size), when it says. */
  size?: number;
  /** The text holds the journal's masks (`*********483`): not the bytes that were sent. */
  masked: boolean;
}

/** One exchange of the session, in the HAR's order. */
export interface Exchange {
  /** Position in the HAR, from 1 (what the reports name). */
  index: number;
  /** The journal's own position, when it wrote the HAR. */
  seq?: number;
  startedAt: number;
  /** Request in to answer out, ms. */
  timeMs: number;
  method: string;
  /** scheme://host[:port] the request went to. */
  origin: string;
  /** The request target as recorded (path and raw query). */
  target: string;
  path: string;
  requestHeaders: Array<[string, string]>;
  requestBody?: RecordedBody;
  status: number;
  responseHeaders: Array<[string, string]>;
  responseBody: RecordedBody;
  /** The client as the gateway told it (`_xRoad.client`), else X-Road-Client; '' when neither. */
  client: string;
  /** INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE, from `_xRoad.service` or the path; '' when it cannot be told. */
  service: string;
  /** The service code alone (citizen-lookup), '' when it cannot be told. */
  serviceCode: string;
  /** X-Road-Id as the client sent it (the header, not one the gateway generated). */
  sentXRoadId?: string;
  idempotencyKey?: string;
  /** X-Road-Error of the answer (or `_xRoad.faultCode`): a platform fault. */
  faultType?: string;
  /** The client's X-Emulator-Fault header, if it sent one. */
  emulatorFault?: string;
  /** The client got no answer: it asked the gateway to reset the connection (X-Emulator-Fault: reset). */
  noAnswer: boolean;
  transactionId?: string;
}

export interface Session {
  exchanges: Exchange[];
  /** What the journal kept of bodies (`log._bodies`), when it says. */
  bodies?: string;
  /** Entries the journal dropped before this export (`log._dropped`). */
  dropped?: number;
  creator?: string;
}

export const headerOf = (lines: Array<[string, string]>, name: string): string | undefined => {
  const n = name.toLowerCase();
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i][0].toLowerCase() === n) return lines[i][1];
  return undefined;
};

/**
 * A value the journal masked: `maskIdentifier` keeps the last 3 characters behind asterisks (`*********483`),
 * or hides 4 characters or fewer whole (`****`). Two asterisks in a row stand for one in a recorded session.
 */
export const MASK_MARK = /\*{2,}/;
export const isMaskedText = (text: string | undefined): boolean => text !== undefined && MASK_MARK.test(text);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function pairs(v: unknown, at: string): Array<[string, string]> {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new HarError(`${at} must be a list of {name, value}`);
  return v.map((p, i) => {
    if (!isObject(p) || typeof p.name !== 'string') throw new HarError(`${at}[${i}] must be {name, value}`);
    return [p.name, String(p.value ?? '')];
  });
}

function body(v: unknown, at: string, size?: unknown): RecordedBody | undefined {
  if (!isObject(v)) return undefined;
  const bytes = typeof v.size === 'number' && v.size >= 0 ? v.size : typeof size === 'number' && size >= 0 ? size : undefined;
  const text = typeof v.text === 'string' ? v.text : undefined;
  const comment = typeof v.comment === 'string' ? v.comment : undefined;
  const encoding = typeof v.encoding === 'string' ? v.encoding : undefined;
  if (v.mimeType !== undefined && typeof v.mimeType !== 'string') throw new HarError(`${at}.mimeType must be a string`);
  return {
    mimeType: (v.mimeType as string | undefined) ?? '',
    ...(text !== undefined ? { text } : {}),
    ...(encoding ? { encoding } : {}),
    ...(comment ? { comment } : {}),
    ...(bytes !== undefined ? { size: bytes } : {}),
    masked: encoding !== 'base64' && isMaskedText(text),
  };
}

/** `https://host:3003/r1/…?x` → origin and target, without letting a URL parser normalise the path. */
export function splitUrl(url: string): { origin: string; target: string } | undefined {
  const m = /^(https?:\/\/[^/?#]+)([^#]*)/i.exec(url);
  if (!m) return undefined;
  return { origin: m[1], target: m[2] === '' ? '/' : m[2] };
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The service a target names: `/r1/I/C/M/S/SERVICE[/…]` or the adapter's `/XrdAdapter/RestService/forward/SERVICE?dstcode=I:C:M:S`. */
export function serviceOfTarget(target: string): { service: string; serviceCode: string } {
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const seg = path.split('/').slice(1);
  if (seg[0] === 'r1' && seg.length >= 6) {
    const parts = seg.slice(1, 6).map(decode);
    return { service: parts.join('/'), serviceCode: parts[4] };
  }
  if (seg[0] === 'XrdAdapter' && seg[1] === 'RestService' && seg[2] === 'forward' && seg[3]) {
    const code = decode(seg[3]);
    const dst = q < 0 ? null : new URLSearchParams(target.slice(q + 1)).get('dstcode');
    return { service: dst ? `${dst.split(':').join('/')}/${code}` : '', serviceCode: code };
  }
  return { service: '', serviceCode: '' };
}

function exchangeOf(e: unknown, i: number): Exchange {
  const at = `log.entries[${i}]`;
  if (!isObject(e)) throw new HarError(`${at} must be an object`);
  const req = e.request;
  const res = e.response;
  if (!isObject(req) || typeof req.method !== 'string' || typeof req.url !== 'string') throw new HarError(`${at}.request needs a method and a url`);
  if (!isObject(res) || typeof res.status !== 'number') throw new HarError(`${at}.response needs a status`);
  const url = splitUrl(req.url);
  if (!url) throw new HarError(`${at}.request.url ${JSON.stringify(req.url.slice(0, 200))} is not an absolute http(s) URL`);
  const startedAt = typeof e.startedDateTime === 'string' ? Date.parse(e.startedDateTime) : NaN;
  if (Number.isNaN(startedAt)) throw new HarError(`${at}.startedDateTime must be an ISO 8601 date-time`);
  const requestHeaders = pairs(req.headers, `${at}.request.headers`);
  const responseHeaders = pairs(res.headers, `${at}.response.headers`);
  const x = isObject(e._xRoad) ? e._xRoad : {};
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const fromPath = serviceOfTarget(url.target);
  const service = str(x.service) ?? fromPath.service;
  const emulatorFault = headerOf(requestHeaders, 'x-emulator-fault');
  const requestBody = body(req.postData, `${at}.request.postData`, req.bodySize);
  return {
    index: i + 1,
    ...(typeof x.seq === 'number' ? { seq: x.seq } : {}),
    startedAt,
    timeMs: typeof e.time === 'number' && e.time >= 0 ? e.time : 0,
    method: req.method,
    origin: url.origin,
    target: url.target,
    path: url.target.split('?')[0],
    requestHeaders,
    ...(requestBody ? { requestBody } : {}),
    status: res.status,
    responseHeaders,
    responseBody: body(res.content, `${at}.response.content`) ?? { mimeType: '', masked: false },
    client: str(x.client) ?? headerOf(requestHeaders, 'x-road-client') ?? '',
    service,
    serviceCode: service ? (service.split('/')[4] ?? fromPath.serviceCode) : fromPath.serviceCode,
    sentXRoadId: headerOf(requestHeaders, 'x-road-id'),
    idempotencyKey: headerOf(requestHeaders, 'idempotency-key'),
    faultType: headerOf(responseHeaders, 'x-road-error') ?? str(x.faultCode),
    ...(emulatorFault !== undefined ? { emulatorFault } : {}),
    noAnswer: emulatorFault !== undefined && /(^|[;,]\s*)reset\s*($|[;,])/i.test(emulatorFault),
    transactionId: str(x.transactionId) ?? headerOf(responseHeaders, 'x-road-transaction-id'),
  };
}

/** A HAR document's exchanges, or a HarError saying what is wrong with it. */
export function parseHar(text: string): Session {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new HarError(`not JSON: ${(e as Error).message}`);
  }
  if (!isObject(doc) || !isObject(doc.log)) throw new HarError('not a HAR document: it has no "log" object');
  const log = doc.log;
  if (!Array.isArray(log.entries)) throw new HarError('not a HAR document: log.entries is not a list');
  if (typeof log.version === 'string' && !/^1\.[12]$/.test(log.version)) throw new HarError(`HAR version ${log.version}: 1.1 or 1.2 expected`);
  const exchanges = log.entries.map(exchangeOf);
  return {
    exchanges,
    ...(typeof log._bodies === 'string' ? { bodies: log._bodies } : {}),
    ...(typeof log._dropped === 'number' ? { dropped: log._dropped } : {}),
    ...(isObject(log.creator) && typeof log.creator.name === 'string' ? { creator: `${log.creator.name} ${String(log.creator.version ?? '')}`.trim() } : {}),
  };
}

/** The body's text is what was sent: a text kept (an empty one only for an empty body). */
export const bodyKept = (b: RecordedBody | undefined): b is RecordedBody & { text: string } => b !== undefined && b.text !== undefined && !(b.text === '' && (b.size ?? 0) > 0);

/** The file's session; a missing or unreadable file, or one that is no HAR, is a HarError. */
export function readHarFile(path: string): Session {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new HarError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message}`);
  }
  try {
    return parseHar(text);
  } catch (e) {
    if (e instanceof HarError) throw new HarError(`${path}: ${e.message}`);
    throw e;
  }
}
