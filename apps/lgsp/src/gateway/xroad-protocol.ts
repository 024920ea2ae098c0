import { createHash } from 'crypto';
import {
  ClientId,
  clientFromParts,
  Fault,
  fault,
  FAULT_HEADER,
  FaultTypes,
  parseServiceCode,
  parseSubsystemId,
  ServiceId,
  subsystemFromParts,
  subsystemKey,
  withoutNul,
  XROAD_INSTANCE,
} from '@ndxp/contracts';

/** Request headers as Node's `headersDistinct` gives them: lower-case names, every value of a repeated header. */
export type DistinctHeaders = Record<string, string[] | undefined>;

/** The X-Road metaservices a provider's path answers (PR-MREST §4, §5). */
export const METASERVICES = ['listMethods', 'allowedMethods', 'getOpenAPI'] as const;
export type Metaservice = (typeof METASERVICES)[number];

/** What an LGSP reads off an HTTP request before it forwards it. */
export interface ParsedCall {
  form: 'rest' | 'adapter';
  /** Absent only in the adapter form without X-Road-Client: the credential then says who calls. */
  client?: ClientId;
  service: ServiceId;
  /** The service path after the service code, exactly as sent ('' when none). */
  path: string;
  /** The query string as sent, without '?' (the adapter's own parameters taken out). */
  rawQuery: string;
  xRoadId?: string;
  userId?: string;
  issue?: string;
  representedParty?: string;
  idempotencyKey?: string;
  metaservice?: Metaservice;
}

export type ParseResult = { ok: true; call: ParsedCall } | { ok: false; fault: Fault; clientText: string; serviceText: string };

/** The last value of a header: X-Road uses the last X-Road-Client when several are sent (RestRequest). */
export const lastHeader = (h: DistinctHeaders, name: string): string | undefined => h[name.toLowerCase()]?.at(-1);

const clip = (s: string) => withoutNul(s.slice(0, 200));
const NUL = '\u0000';
const invalidRequest = (message: string) => fault(FaultTypes.malformedRequest, message);

/** X-Road headers the gateway reads and records; a NUL in one is refused, since the ledger cannot store it. */
const RECORDED_HEADERS = ['x-road-client', 'x-road-id', 'x-road-userid', 'x-road-issue', 'x-road-represented-party', 'x-road-security-server', 'idempotency-key'];

/**
 * Strict URI rules (PR-REST §4.2): a bad percent-escape, a dot segment (also
 * percent-encoded) or an empty segment is an error, never normalised: the
 * gateway must not run a service other than the one the URL names. The last
 * segment may be empty (a trailing slash is the provider's business).
 */
export function uriProblem(rawPath: string): string | undefined {
  const escape = /%(?![0-9A-Fa-f]{2})/.exec(rawPath);
  if (escape) return `malformed percent-escape at offset ${escape.index} of the path`;
  const segments = rawPath.split('/').slice(1);
  for (let i = 0; i < segments.length; i++) {
    const decoded = decodeParts([segments[i]])?.[0];
    if (decoded === undefined) return `"${segments[i].slice(0, 40)}" does not decode to UTF-8`;
    if (decoded === '.' || decoded === '..') return `dot segment "${segments[i]}" in the path`;
    if (decoded.includes(NUL)) return 'the path holds a NUL character (U+0000)';
    if (segments[i] === '' && i < segments.length - 1) return 'empty segment (//) in the path';
  }
  return undefined;
}

function decodeParts(parts: string[]): string[] | undefined {
  try {
    return parts.map((p) => decodeURIComponent(p));
  } catch {
    return undefined;
  }
}

/** X-Road-Client: 3 parts (a member) or 4 (a subsystem), each percent-encoded (PR-REST §4.3). */
export function parseClientHeader(raw: string): { ok: true; client: ClientId } | { ok: false; message: string } {
  const parts = decodeParts(raw.split('/'));
  if (!parts) return { ok: false, message: `Invalid percent encoding: header X-Road-Client ${JSON.stringify(clip(raw))}` };
  const id = clientFromParts(parts);
  return id.ok ? { ok: true, client: id.value } : { ok: false, message: `header X-Road-Client: ${id.reason}` };
}

/** Drops the adapter's own parameters from a raw query string, keeping the rest byte for byte. */
function withoutParams(rawQuery: string, names: string[]): string {
  if (rawQuery === '') return '';
  return rawQuery
    .split('&')
    .filter((pair) => !names.includes(decodeQueryName(pair.split('=')[0])))
    .join('&');
}

function decodeQueryName(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

type Target = { ok: true; service: ServiceId; path: string; rawQuery: string; form: ParsedCall['form'] } | { ok: false; fault: Fault; serviceText: string };

/** /r1/{INSTANCE}/{CLASS}/{MEMBER}/{SUBSYSTEM}/{SERVICE}[/path]: the five parts decoded one by one, the path kept as sent. */
function restTarget(segments: string[], rawQuery: string, rawPath: string): Target {
  if (segments.length < 6)
    return { ok: false, serviceText: rawPath, fault: invalidRequest(`the path must be /r1/{INSTANCE}/{CLASS}/{MEMBER}/{SUBSYSTEM}/{SERVICE}[/path], got ${clip(rawPath)}`) };
  const ids = decodeParts(segments.slice(1, 6))!; // escapes were checked
  const serviceText = ids.join('/');
  const provider = subsystemFromParts(ids.slice(0, 4));
  if (!provider.ok) return { ok: false, serviceText, fault: invalidRequest(`service identifier in the path: ${provider.reason}`) };
  const code = parseServiceCode(ids[4]);
  if (!code.ok) return { ok: false, serviceText, fault: invalidRequest(`service identifier in the path: ${code.reason}`) };
  const path = segments.length > 6 ? `/${segments.slice(6).join('/')}` : '';
  return { ok: true, service: { ...provider.value, serviceCode: code.value }, path, rawQuery, form: 'rest' };
}

/** /XrdAdapter/RestService/forward/{the provider's own path}?dstcode=VN:GOV:{code}:{subsystem}[&providerurl=...] */
function adapterTarget(segments: string[], rawQuery: string, rawPath: string): Target {
  const dst = new URLSearchParams(rawQuery).get('dstcode');
  if (!dst) return { ok: false, serviceText: rawPath, fault: invalidRequest('query parameter dstcode=VN:GOV:{agency code}:{subsystem} is required') };
  const provider = parseSubsystemId(dst, ':');
  if (!provider.ok) return { ok: false, serviceText: clip(dst), fault: invalidRequest(`dstcode: ${provider.reason}`) };
  if (segments.length < 4) return { ok: false, serviceText: clip(dst), fault: invalidRequest('the path must be /XrdAdapter/RestService/forward/{SERVICE}[/path]') };
  const code = parseServiceCode(decodeParts([segments[3]])![0]);
  const serviceText = `${subsystemKey(provider.value)}/${segments[3]}`;
  if (!code.ok) return { ok: false, serviceText, fault: invalidRequest(`service in the path: ${code.reason}`) };
  const path = segments.length > 4 ? `/${segments.slice(4).join('/')}` : '';
  // providerurl is the adapter's hint for the provider's address: NDXP routes by the registry instead.
  return { ok: true, service: { ...provider.value, serviceCode: code.value }, path, rawQuery: withoutParams(rawQuery, ['dstcode', 'providerurl']), form: 'adapter' };
}

/** X-Road-Represented-Party: `[CLASS/]CODE` (PR-REST §4.3); split as RestRequest does, trailing empty parts dropped. */
function representedPartyProblem(v: string): string | undefined {
  const parts = v.split('/');
  while (parts.length > 1 && parts.at(-1) === '') parts.pop();
  if (parts.length > 2 || !decodeParts(parts)) return `Invalid RepresentedParty Id: header X-Road-Represented-Party must be [CLASS/]CODE, got ${JSON.stringify(clip(v))}`;
  return undefined;
}

/** X-Road-Security-Server: exactly INSTANCE/CLASS/MEMBER/SERVERCODE (RestRequest.decodeServerId). */
function securityServerSyntaxProblem(v: string): string | undefined {
  const parts = decodeParts(v.split('/'));
  if (!parts || parts.length !== 4) return `Invalid SecurityServer Id: header X-Road-Security-Server must be INSTANCE/CLASS/MEMBER/SERVERCODE, got ${JSON.stringify(clip(v))}`;
  return undefined;
}

/** The methods X-Road forwards (RestRequest.Verb, case-sensitive); any other is refused. */
export const FORWARDED_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE'];

/**
 * Parses the two request forms NDXP connectors use:
 *   X-Road REST:  {METHOD} /r1/{INSTANCE}/{CLASS}/{MEMBER}/{SUBSYSTEM}/{SERVICE}[/path]
 *   VN adapter:   /XrdAdapter/RestService/forward/{SERVICE}[/path]?dstcode=VN:GOV:{code}:{subsystem}
 * with X-Road-Client: INSTANCE/CLASS/MEMBER[/SUBSYSTEM] (optional in the adapter form).
 */
export function parseCall(method: string, rawUrl: string, headers: DistinctHeaders): ParseResult {
  const q = rawUrl.indexOf('?');
  const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
  const rawClient = lastHeader(headers, 'x-road-client');
  const fail = (f: Fault, serviceText: string): ParseResult => ({ ok: false, fault: f, clientText: clip(rawClient ?? ''), serviceText: clip(serviceText) });

  for (const name of RECORDED_HEADERS) if (headers[name]?.some((v) => v.includes(NUL))) return fail(invalidRequest(`header ${name} holds a NUL character (U+0000)`), rawPath);
  const problem = uriProblem(rawPath);
  if (problem) return fail(invalidRequest(`${problem}: dot segments, empty segments and malformed escapes are refused, not normalised`), rawPath);

  if (!FORWARDED_METHODS.includes(method))
    return fail(invalidRequest(`No enum constant RestRequest.Verb.${clip(method)}: X-Road forwards ${FORWARDED_METHODS.join(', ')}`), rawPath);
  const segments = rawPath.split('/').slice(1);
  const target =
    segments[0] === 'r1'
      ? restTarget(segments, rawQuery, rawPath)
      : segments[0] === 'XrdAdapter' && segments[1] === 'RestService' && segments[2] === 'forward'
        ? adapterTarget(segments, rawQuery, rawPath)
        : { ok: false as const, serviceText: rawPath, fault: invalidRequest(`unknown path ${clip(rawPath)}: use /r1/... (X-Road REST) or /XrdAdapter/RestService/forward/...`) };
  if (!target.ok) return fail(target.fault, target.serviceText);
  const serviceText = `${subsystemKey(target.service)}/${target.service.serviceCode}`;

  // As RestRequest does: every X-Road header is parsed before the client's presence is checked.
  let client: ClientId | undefined;
  if (rawClient !== undefined && rawClient !== '') {
    const c = parseClientHeader(rawClient);
    if (!c.ok) return fail(invalidRequest(c.message), serviceText);
    client = c.client;
  }
  const securityServer = lastHeader(headers, 'x-road-security-server');
  const ssProblem = securityServer === undefined ? undefined : securityServerSyntaxProblem(securityServer);
  if (ssProblem) return fail(invalidRequest(ssProblem), serviceText);
  const representedParty = lastHeader(headers, 'x-road-represented-party');
  const rpProblem = representedParty === undefined ? undefined : representedPartyProblem(representedParty);
  if (rpProblem) return fail(invalidRequest(rpProblem), serviceText);
  if (!client && target.form === 'rest')
    return fail(fault(FaultTypes.invalidClientIdentifier, 'The client identifier is missing: send X-Road-Client: INSTANCE/CLASS/MEMBER[/SUBSYSTEM]'), serviceText);

  const metaservice = (METASERVICES as readonly string[]).includes(target.service.serviceCode) && target.path === '' ? (target.service.serviceCode as Metaservice) : undefined;
  return {
    ok: true,
    call: {
      form: target.form,
      client,
      service: target.service,
      path: target.path,
      rawQuery: target.rawQuery,
      xRoadId: lastHeader(headers, 'x-road-id'),
      userId: lastHeader(headers, 'x-road-userid'),
      issue: lastHeader(headers, 'x-road-issue'),
      representedParty,
      idempotencyKey: lastHeader(headers, 'idempotency-key'),
      metaservice,
    },
  };
}

/**
 * A well-formed X-Road-Security-Server that is not a server of the provider: in NDXP every provider's
 * member runs its own server, so one of another member is refused (AbstractClientMessageProcessor:
 * `Invalid security server`).
 */
export function securityServerProblem(value: string, provider: ServiceId): string | undefined {
  const [instance, memberClass, memberCode] = decodeParts(value.split('/'))!;
  if (instance !== XROAD_INSTANCE || memberClass !== provider.memberClass || memberCode !== provider.memberCode)
    return `Invalid security server "SERVER:${clip(value)}": not a server of the provider ${subsystemKey(provider)}`;
  return undefined;
}

/**
 * Headers that stop at the security server, in both directions (RestMessage.SKIPPED_HEADERS, matched
 * case-insensitively); the Connection header's own list is not consulted, as X-Road does not.
 */
const SKIPPED = new Set([
  'transfer-encoding',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'upgrade',
  'connection',
  'user-agent',
  'host',
  'content-length',
  'server',
  'expect',
]);
/** The platform sets these itself: a client's own are dropped on the way in (RestRequest), a provider's on the way out (RestResponse). */
const PLATFORM_REQUEST_HEADERS = new Set(['x-road-request-id', 'x-road-request-hash']);
const PLATFORM_RESPONSE_HEADERS = new Set(['x-road-id', 'x-road-request-hash', 'x-road-client', 'x-road-request-id']);

/** The calling system's LGSP credential: the gateway's, never the provider's. */
export const API_KEY_HEADER = 'x-api-key';

/** The emulator's own header (a test client's injected fault): the gateway's, never forwarded. */
const keptOnTheWayIn = (name: string) => !SKIPPED.has(name) && !PLATFORM_REQUEST_HEADERS.has(name) && name !== API_KEY_HEADER && name !== FAULT_HEADER;

/**
 * The client's headers as the provider gets them, in the order sent and with the names as sent: all but
 * the skipped ones and the LGSP key. `Authorization` and JWTs pass (PR-REST §4.7).
 */
export function forwardedHeaderLines(rawHeaders: string[]): Array<[string, string]> {
  const lines: Array<[string, string]> = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) if (keptOnTheWayIn(rawHeaders[i].toLowerCase())) lines.push([rawHeaders[i], rawHeaders[i + 1]]);
  return lines;
}

/** The same, as one value per lower-case name (repeated headers joined with ", "), for the Kafka envelope. */
export function headerRecord(lines: Array<[string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of lines) {
    const key = name.toLowerCase();
    out[key] = key in out ? `${out[key]}, ${value}` : value;
  }
  return out;
}

/** A provider's response headers for the client: its own, without the skipped ones and those the platform sets. */
export function responseHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (!SKIPPED.has(name.toLowerCase()) && !PLATFORM_RESPONSE_HEADERS.has(name.toLowerCase())) out[name] = value;
  return out;
}

/** The calling system's API key: X-API-Key only. `Authorization` belongs to the provider (JWTs pass through, PR-REST §4.7). */
export const apiKeyOf = (headers: DistinctHeaders): string | undefined => lastHeader(headers, API_KEY_HEADER);

/**
 * X-Road-Request-Hash, as the provider's server computes it (ServerRestMessageProcessor, RestRequest.toByteArray):
 * SHA-512 over `VERB\r\n` `path[?query]\r\n` and each forwarded header as `Name:Value\r\n` in the order sent,
 * then `x-road-request-id` (and `x-road-id` when the platform generated it); with a body, SHA-512 over that
 * digest followed by the body's SHA-512. Base64. The request id makes every hash unique.
 */
export function requestHash(method: string, target: string, lines: Array<[string, string]>, body: Buffer): string {
  const head = createHash('sha512').update(`${method}\r\n${target}\r\n`, 'utf8');
  for (const [name, value] of lines) head.update(`${name}:${value}\r\n`, 'utf8');
  const headDigest = head.digest();
  if (body.length === 0) return headDigest.toString('base64');
  const bodyDigest = createHash('sha512').update(body).digest();
  return createHash('sha512').update(headDigest).update(bodyDigest).digest('base64');
}

/**
 * The error's media type from Accept (ClientRestMessageHandler): values split on ",", parameters and q
 * ignored; the first of text/xml, application/xml and text/* (as text/xml) wins; JSON otherwise.
 */
export function errorMediaType(accept: string | undefined): 'application/json' | 'application/xml' | 'text/xml' {
  for (const v of (accept ?? '').split(',')) {
    const type = v.split(';')[0].trim().toLowerCase();
    if (type === 'application/xml') return 'application/xml';
    if (type === 'text/xml' || type === 'text/*') return 'text/xml';
  }
  return 'application/json';
}

const xmlEscape = (s: string) => s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);

/** The body of a platform fault: `{type, message, detail}` compact in JSON, or `<error>` in XML, with its content type. */
export function faultBody(type: string, message: string, detail: string, media: ReturnType<typeof errorMediaType>): { contentType: string; body: Buffer } {
  if (media === 'application/json') return { contentType: 'application/json', body: Buffer.from(JSON.stringify({ type, message, detail })) };
  const xml = `<?xml version="1.0" encoding="UTF-8" standalone="no"?><error><type>${xmlEscape(type)}</type><message>${xmlEscape(message)}</message><detail>${xmlEscape(detail)}</detail></error>`;
  return { contentType: `${media};charset=utf-8`, body: Buffer.from(xml, 'utf8') };
}

/** An identifier as X-Road echoes it (RestMessage.encodeXRoadId): each part escaped as a URL path segment. */
export function encodeXRoadId(parts: string[]): string {
  return parts.map((p) => encodeURIComponent(p).replace(/%(21|24|26|27|28|29|2A|2B|2C|3A|3B|3D|40)/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)))).join('/');
}
