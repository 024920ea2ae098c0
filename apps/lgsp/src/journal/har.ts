import { STATUS_CODES } from 'http';
import type { JournalBodyMode } from './masking';
import type { JournalEntry } from './journal';

/** HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/), the parts this journal writes. */
export interface HarNameValue {
  name: string;
  value: string;
}
export interface HarEntry {
  startedDateTime: string;
  time: number;
  request: {
    method: string;
    url: string;
    httpVersion: string;
    cookies: HarNameValue[];
    headers: HarNameValue[];
    queryString: HarNameValue[];
    postData?: { mimeType: string; params: HarNameValue[]; text: string; comment?: string };
    headersSize: number;
    bodySize: number;
    comment?: string;
  };
  response: {
    status: number;
    statusText: string;
    httpVersion: string;
    cookies: HarNameValue[];
    headers: HarNameValue[];
    content: { size: number; mimeType: string; text?: string; encoding?: string; comment?: string };
    redirectURL: string;
    headersSize: number;
    bodySize: number;
  };
  cache: Record<string, never>;
  timings: { blocked: number; dns: number; connect: number; send: number; wait: number; receive: number; ssl: number };
  /** Custom field (the spec's leading underscore): the exchange as X-Road and the ledger see it. */
  _xRoad: {
    seq: number;
    transactionId?: string;
    client: string;
    service: string;
    xRoadId?: string;
    lgsp?: string;
    owner?: string;
    outcome: string;
    faultCode?: string;
    replayed: boolean;
  };
}
export interface Har {
  log: {
    version: '1.2';
    creator: { name: string; version: string; comment?: string };
    entries: HarEntry[];
    comment?: string;
    /** Entries the journal dropped since the start to keep its bounds (custom field). */
    _dropped: number;
    /** What the journal keeps of bodies: masked, clear or off (custom field). */
    _bodies: JournalBodyMode;
  };
}

const pairs = (lines: Array<[string, string]>): HarNameValue[] => lines.map(([name, value]) => ({ name, value }));

/** The query as name/value pairs, decoded (a malformed escape is kept as sent). */
export function queryStringOf(url: string): HarNameValue[] {
  const q = url.indexOf('?');
  if (q < 0) return [];
  const out: HarNameValue[] = [];
  for (const part of url
    .slice(q + 1)
    .split('#')[0]
    .split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const [name, value] = eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)];
    out.push({ name: decode(name), value: decode(value) });
  }
  return out;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

const ms = (n: number) => Math.round(n * 1000) / 1000;

export function harEntry(e: JournalEntry): HarEntry {
  const reqBody = e.request.body;
  const res = e.response;
  const httpVersion = `HTTP/${e.request.httpVersion}`;
  return {
    startedDateTime: new Date(e.startedAt).toISOString(),
    time: ms(e.timeMs),
    request: {
      method: e.request.method,
      url: e.request.url,
      httpVersion,
      cookies: [],
      headers: pairs(e.request.headers),
      queryString: queryStringOf(e.request.url),
      ...(reqBody && reqBody.size > 0
        ? { postData: { mimeType: reqBody.mimeType, params: [], text: reqBody.text ?? '', ...(reqBody.comment ? { comment: reqBody.comment } : {}) } }
        : {}),
      headersSize: -1,
      bodySize: reqBody ? reqBody.size : -1,
      ...(reqBody ? {} : { comment: 'body not read: the request was refused before it' }),
    },
    response: {
      status: res.status,
      statusText: STATUS_CODES[res.status] ?? '',
      httpVersion,
      cookies: [],
      headers: pairs(res.headers),
      content: {
        size: res.body.size,
        mimeType: res.body.mimeType,
        ...(res.body.text !== undefined ? { text: res.body.text } : {}),
        ...(res.body.encoding ? { encoding: res.body.encoding } : {}),
        ...(res.body.comment ? { comment: res.body.comment } : {}),
      },
      redirectURL: res.headers.find(([n]) => n.toLowerCase() === 'location')?.[1] ?? '',
      headersSize: -1,
      bodySize: res.body.size,
    },
    cache: {},
    timings: { blocked: -1, dns: -1, connect: -1, send: ms(e.timings.send), wait: ms(e.timings.wait), receive: ms(e.timings.receive), ssl: -1 },
    _xRoad: {
      seq: e.seq,
      transactionId: e.transactionId,
      client: e.client,
      service: e.service,
      xRoadId: e.xRoadId,
      lgsp: e.lgsp,
      owner: e.owner,
      outcome: e.outcome,
      faultCode: e.faultCode,
      replayed: e.replayed,
    },
  };
}

export function buildHar(entries: JournalEntry[], meta: { version: string; dropped: number; bodies: JournalBodyMode; comment?: string }): Har {
  return {
    log: {
      version: '1.2',
      creator: { name: 'ndxp-emulator', version: meta.version, comment: 'LGSP gateway request journal' },
      entries: entries.map(harEntry),
      ...(meta.comment ? { comment: meta.comment } : {}),
      _dropped: meta.dropped,
      _bodies: meta.bodies,
    },
  };
}
