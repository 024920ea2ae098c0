import { createHash } from 'crypto';
import { Fault, fault, FaultTypes, parseServiceCode, parseSubsystemId, ServiceId, SubsystemId, subsystemKey, withoutNul } from '@ndxp/contracts';

/** What an LGSP reads off an HTTP request before it forwards it. */
export interface ParsedCall {
  client: SubsystemId;
  service: ServiceId;
  /** Path after the service code, without the leading slash. */
  path: string;
  query: Record<string, string>;
  xRoadId?: string;
  userId?: string;
  issue?: string;
  form: 'rest' | 'adapter';
}

export type ParseResult = { ok: true; call: ParsedCall } | { ok: false; fault: Fault; clientText: string; serviceText: string };

const header = (h: Record<string, string | string[] | undefined>, name: string): string | undefined => {
  const v = h[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};

const clip = (s: string) => withoutNul(s.slice(0, 200));

const NUL = '\u0000';
const nulFault = (where: string) => fault(FaultTypes.badRequest, 400, `${where} holds a NUL character (U+0000), which no service accepts`);

/**
 * Where a NUL is in the URL or the headers, if anywhere. The ledger's text
 * columns cannot store one (PostgreSQL refuses U+0000), so such a request is
 * refused before anything of it is recorded or forwarded.
 */
function nulInUrlOrHeaders(u: URL, headers: Record<string, string | string[] | undefined>): string | undefined {
  if (u.pathname.includes('%00')) return 'the path';
  for (const [k, v] of u.searchParams) if (k.includes(NUL) || v.includes(NUL)) return `query parameter ${JSON.stringify(k.slice(0, 100))}`;
  for (const [name, v] of Object.entries(headers)) if ([v ?? ''].flat().some((x) => x.includes(NUL))) return `header ${withoutNul(name)}`;
  return undefined;
}

/**
 * Parses the two request forms NDXP connectors use:
 *   X-Road REST:  {METHOD} /r1/{INSTANCE}/{CLASS}/{MEMBER}/{SUBSYSTEM}/{SERVICE}[/path]
 *   VN adapter:   /XrdAdapter/RestService/forward/{SERVICE}[/path]?dstcode=VN:GOV:{code}:{subsystem}
 * with the mandatory header X-Road-Client: INSTANCE/CLASS/MEMBER/SUBSYSTEM.
 */
export function parseCall(url: string, headers: Record<string, string | string[] | undefined>): ParseResult {
  const u = new URL(url, 'http://lgsp.local');
  const query: Record<string, string> = {};
  u.searchParams.forEach((v, k) => (query[k] = v));
  const rawClient = header(headers, 'X-Road-Client');
  let serviceText = u.pathname;
  const fail = (f: Fault): ParseResult => ({ ok: false, fault: f, clientText: clip(rawClient ?? ''), serviceText: clip(serviceText) });
  const nul = nulInUrlOrHeaders(u, headers);
  if (nul) return fail(nulFault(nul));

  let service: ServiceId;
  let path: string;
  let form: ParsedCall['form'];
  const segments = u.pathname
    .split('/')
    .filter((s) => s.length > 0)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  if (segments[0] === 'r1') {
    form = 'rest';
    if (segments.length < 6) return fail(fault(FaultTypes.badRequest, 400, `the path must be /r1/{INSTANCE}/{CLASS}/{MEMBER}/{SUBSYSTEM}/{SERVICE}[/path], got ${u.pathname}`));
    serviceText = segments.slice(1, 6).join('/');
    const provider = parseSubsystemId(segments.slice(1, 5).join('/'));
    if (!provider.ok) return fail(fault(FaultTypes.badRequest, 400, `service identifier in the path: ${provider.reason}`));
    const code = parseServiceCode(segments[5]);
    if (!code.ok) return fail(fault(FaultTypes.badRequest, 400, `service identifier in the path: ${code.reason}`));
    service = { ...provider.value, serviceCode: code.value };
    path = segments.slice(6).join('/');
  } else if (segments[0] === 'XrdAdapter' && segments[1] === 'RestService' && segments[2] === 'forward') {
    form = 'adapter';
    const dst = query.dstcode;
    if (!dst) return fail(fault(FaultTypes.badRequest, 400, 'query parameter dstcode=VN:GOV:{agency code}:{subsystem} is required'));
    const provider = parseSubsystemId(dst, ':');
    if (!provider.ok) return fail(fault(FaultTypes.badRequest, 400, `dstcode: ${provider.reason}`));
    if (segments.length < 4) return fail(fault(FaultTypes.badRequest, 400, 'the path must be /XrdAdapter/RestService/forward/{SERVICE}[/path]'));
    const code = parseServiceCode(segments[3]);
    if (!code.ok) return fail(fault(FaultTypes.badRequest, 400, `service in the path: ${code.reason}`));
    service = { ...provider.value, serviceCode: code.value };
    serviceText = `${subsystemKey(provider.value)}/${code.value}`;
    path = segments.slice(4).join('/');
    delete query.dstcode;
    delete query.providerurl; // the adapter's hint for the provider's URL: NDXP routes by the registry instead
  } else {
    return fail(fault(FaultTypes.badRequest, 400, `unknown path ${u.pathname}: use /r1/... (X-Road REST) or /XrdAdapter/RestService/forward/...`));
  }

  if (rawClient === undefined || rawClient === '') return fail(fault(FaultTypes.missingHeader, 400, 'header X-Road-Client: INSTANCE/CLASS/MEMBER/SUBSYSTEM is required'));
  const client = parseSubsystemId(rawClient);
  if (!client.ok) return fail(fault(FaultTypes.badRequest, 400, `header X-Road-Client: ${client.reason}`));

  const xRoadId = header(headers, 'X-Road-Id');
  if (xRoadId !== undefined && !/^[\x21-\x7e]{1,255}$/.test(xRoadId))
    return fail(fault(FaultTypes.badRequest, 400, 'header X-Road-Id: must be 1-255 printable characters without spaces (a UUID is usual)'));
  const userId = header(headers, 'X-Road-UserId');
  if (userId !== undefined && userId.length > 255) return fail(fault(FaultTypes.badRequest, 400, 'header X-Road-UserId: at most 255 characters'));
  const issue = header(headers, 'X-Road-Issue');
  if (issue !== undefined && issue.length > 255) return fail(fault(FaultTypes.badRequest, 400, 'header X-Road-Issue: at most 255 characters'));

  return { ok: true, call: { client: client.value, service, path, query, xRoadId, userId, issue, form } };
}

export type BodyResult = { ok: true; body: unknown } | { ok: false; fault: Fault };

const badBody = (message: string): BodyResult => ({ ok: false, fault: fault(FaultTypes.badRequest, 400, message) });

/** The first place in a JSON value where a string (value or key) holds a NUL, as a path like $.a[1].b. Iterative: nesting is unbounded. */
function nulInJson(root: unknown): string | undefined {
  const todo: Array<[unknown, string]> = [[root, '$']];
  for (let next = todo.pop(); next; next = todo.pop()) {
    const [v, path] = next;
    if (typeof v === 'string' && v.includes(NUL)) return path;
    if (v === null || typeof v !== 'object') continue;
    const entries = Object.entries(v).reverse(); // popped in document order
    for (const [k, child] of entries) {
      const at = Array.isArray(v) ? `${path}[${k}]` : /^[A-Za-z_$][\w$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`;
      if (k.includes(NUL)) return at;
      todo.push([child, at]);
    }
  }
  return undefined;
}

/** Reads a request body: JSON when the content type says so (the default), else text; a NUL anywhere in it is refused. */
export function parseBody(raw: Buffer, contentType: string): BodyResult {
  if (raw.length === 0) return { ok: true, body: undefined };
  // Before JSON.parse: its error message quotes the text, NUL included.
  const byte = raw.indexOf(0);
  if (byte >= 0) return badBody(`the body holds a NUL byte at offset ${byte}, which no service accepts`);
  const text = raw.toString('utf8');
  if (!contentType.includes('json')) return { ok: true, body: text };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    return badBody(`the body is not valid JSON: ${(e as Error).message}`);
  }
  // A parsed NUL can only come from the escape \u0000 (raw bytes are refused above): most bodies skip the walk.
  const at = text.includes('\\u0000') ? nulInJson(body) : undefined;
  if (at) return badBody(`the body holds a NUL character (\\u0000) at ${clip(at)}, which no service accepts`);
  return { ok: true, body };
}

/** The API key of the calling system: X-API-Key, or Authorization: Bearer. */
export function apiKeyOf(headers: Record<string, string | string[] | undefined>): string | undefined {
  const k = header(headers, 'X-API-Key');
  if (k) return k;
  const auth = header(headers, 'Authorization');
  return auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
}

/** X-Road-Request-Hash: SHA-512 (base64) over method, path with query, and body. */
export function requestHash(method: string, url: string, body: Buffer): string {
  return createHash('sha512').update(`${method} ${url}\n`).update(body).digest('base64');
}
