import { isUtf8 } from 'buffer';
import type { JournalBody, JournalEntry } from './journal';
import { JournalBodyMode, maskBodyText, maskHeaders, maskUrl } from './masking';

/** One exchange as GatewayHttp saw it, before anything is masked. */
export interface Capture {
  startedAt: number;
  /** Milliseconds from the request's arrival: its body read (absent: never read), its answer sent. */
  bodyReadMs?: number;
  answeredMs: number;
  method: string;
  /** scheme://host, from the connection and the Host header. */
  origin: string;
  /** The request target as sent. */
  url: string;
  httpVersion: string;
  rawHeaders: string[];
  /** The body as received; absent when the gateway did not read it (refused first). */
  body?: Buffer;
  status: number;
  responseHeaders: Record<string, string>;
  responseBody: Buffer;
  replayed: boolean;
}

/** Who the exchange was with, as the gateway told it. */
export interface CaptureParties {
  client: string;
  service: string;
  xRoadId?: string;
  lgsp?: string;
  owner?: string;
}

const TRANSACTION_HEADER = 'x-road-transaction-id';

const lines = (raw: string[]): Array<[string, string]> => {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i], raw[i + 1]]);
  return out;
};

const headerOf = (ls: Array<[string, string]>, name: string): string | undefined => {
  for (let i = ls.length - 1; i >= 0; i--) if (ls[i][0].toLowerCase() === name) return ls[i][1];
  return undefined;
};

/** A body as the journal keeps it under `mode`: masked at once, so clear personal data is never held unless `clear`. */
export function journalBody(buf: Buffer, mimeType: string, mode: JournalBodyMode): JournalBody {
  const size = buf.length;
  if (mode === 'off') return { size, mimeType, comment: 'bodies are not kept (JOURNAL_BODIES=off)' };
  if (size === 0) return { size, mimeType, text: '' };
  if (!isUtf8(buf)) {
    if (mode === 'clear') return { size, mimeType, text: buf.toString('base64'), encoding: 'base64' };
    return { size, mimeType, comment: 'not text: not kept, as it cannot be masked (JOURNAL_BODIES=clear keeps it, base64)' };
  }
  const text = buf.toString('utf8');
  if (mode === 'clear') return { size, mimeType, text };
  return { size, mimeType, text: maskBodyText(text, mimeType), comment: 'personal data masked (JOURNAL_BODIES=masked)' };
}

/** The journal entry of an exchange (without its seq): headers, URL and bodies masked as `mode` says. */
export function entryOf(c: Capture, who: CaptureParties, mode: JournalBodyMode): Omit<JournalEntry, 'seq'> {
  const reqHeaders = lines(c.rawHeaders);
  const resHeaders = Object.entries(c.responseHeaders).map(([n, v]): [string, string] => [n, String(v)]);
  const faultCode = headerOf(resHeaders, 'x-road-error');
  const send = c.bodyReadMs ?? 0;
  const maskedUrl = mode === 'clear' ? c.url : maskUrl(c.url);
  return {
    startedAt: c.startedAt,
    timeMs: c.answeredMs,
    timings: { send, wait: Math.max(0, c.answeredMs - send), receive: 0 },
    transactionId: headerOf(resHeaders, TRANSACTION_HEADER),
    client: who.client,
    service: who.service,
    ...(who.xRoadId !== undefined ? { xRoadId: who.xRoadId } : {}),
    ...(who.lgsp !== undefined ? { lgsp: who.lgsp } : {}),
    ...(who.owner !== undefined ? { owner: who.owner } : {}),
    outcome: faultCode ? 'fault' : 'answered',
    ...(faultCode ? { faultCode } : {}),
    replayed: c.replayed,
    request: {
      method: c.method,
      url: `${c.origin}${maskedUrl}`,
      httpVersion: c.httpVersion,
      headers: maskHeaders(reqHeaders, mode),
      ...(c.body ? { body: journalBody(c.body, headerOf(reqHeaders, 'content-type') ?? '', mode) } : {}),
    },
    response: {
      status: c.status,
      headers: maskHeaders(resHeaders, mode),
      body: journalBody(c.responseBody, headerOf(resHeaders, 'content-type') ?? '', mode),
    },
  };
}

/** A body kept clear, masked for a reader who may not see personal data: text masked, bytes (which cannot be) dropped. */
function maskedBody(b: JournalBody): JournalBody {
  if (b.text === undefined) return b;
  if (b.encoding === 'base64') return { size: b.size, mimeType: b.mimeType, comment: 'not text: not shown, as it cannot be masked' };
  return { ...b, text: maskBodyText(b.text, b.mimeType), comment: 'personal data masked for this reader' };
}

/**
 * An entry held clear (JOURNAL_BODIES=clear) as a reader sees it who may not see personal data (an LGSP's
 * operator): masked as it would have been at capture in `masked` mode.
 */
export function maskedEntry(e: JournalEntry): JournalEntry {
  return {
    ...e,
    request: { ...e.request, url: maskUrl(e.request.url), headers: maskHeaders(e.request.headers, 'masked'), ...(e.request.body ? { body: maskedBody(e.request.body) } : {}) },
    response: { ...e.response, headers: maskHeaders(e.response.headers, 'masked'), body: maskedBody(e.response.body) },
  };
}
