import { request as httpRequest } from 'http';
import { request as httpsRequest } from 'https';
import { splitUrl, Session } from './har-read';
import { compareAnswer, LiveAnswer, OutgoingRequest, planReplay, ReplayOptions, ReplayReport, RequestResult, skipped, summarise } from './replay-compare';

/** Longest wait for one answer: well past the platform's deadline (5 s) and the emulator's injected latencies (60 s at most). */
export const REPLAY_TIMEOUT_MS = 90_000;

/**
 * Sends one request as it is given: the target's bytes as recorded (no URL parser normalises dot
 * segments or escapes, which the gateway refuses), the headers in their order. Never rejects.
 */
export function sendOnce(req: OutgoingRequest, timeoutMs = REPLAY_TIMEOUT_MS): Promise<LiveAnswer> {
  const started = process.hrtime.bigint();
  const elapsed = () => Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100;
  return new Promise((resolve) => {
    const url = splitUrl(req.url);
    if (!url) return resolve({ error: `not an http(s) URL: ${req.url}`, timeMs: 0 });
    const origin = new URL(url.origin);
    const secure = origin.protocol === 'https:';
    // Raw header lines keep their order and case; Node then sets no Host itself.
    const headers: string[] = ['Host', origin.host];
    for (const [n, v] of req.headers) headers.push(n, v);
    if (req.body) headers.push('Content-Length', String(req.body.length));
    let done = false;
    const finish = (a: LiveAnswer) => {
      if (!done) resolve(a);
      done = true;
    };
    const r = (secure ? httpsRequest : httpRequest)({
      host: origin.hostname.replace(/^\[|\]$/g, ''),
      port: origin.port || (secure ? 443 : 80),
      method: req.method,
      path: url.target,
      headers,
      timeout: timeoutMs,
    });
    r.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const lines: Array<[string, string]> = [];
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) lines.push([res.rawHeaders[i], res.rawHeaders[i + 1]]);
        finish({ status: res.statusCode ?? 0, headers: lines, body: Buffer.concat(chunks), timeMs: elapsed() });
      });
      res.on('error', (e: NodeJS.ErrnoException) => finish({ error: `the answer broke off: ${e.message}`, code: e.code, timeMs: elapsed() }));
      res.on('aborted', () => finish({ error: 'the answer broke off', code: 'ECONNRESET', timeMs: elapsed() }));
    });
    r.on('timeout', () => {
      finish({ error: `no answer within ${timeoutMs / 1000} s`, code: 'ETIMEDOUT', timeMs: elapsed() });
      r.destroy();
    });
    r.on('error', (e: NodeJS.ErrnoException) => finish({ error: e.code === 'ECONNRESET' ? 'connection reset' : e.message, code: e.code, timeMs: elapsed() }));
    r.end(req.body);
  });
}

export type Sender = (req: OutgoingRequest) => Promise<LiveAnswer>;

/** Connection errors that mean nothing listens there (not an answer that changed). */
export const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Sends every exchange again, one after another in the HAR's order, and compares each answer with the recorded one. */
export async function replaySession(
  session: Session,
  opts: ReplayOptions & { har: string; send?: Sender; onResult?: (r: RequestResult) => void },
): Promise<ReplayReport & { unreachable: number }> {
  const send = opts.send ?? ((r: OutgoingRequest) => sendOnce(r));
  const startedAt = new Date().toISOString();
  const results: RequestResult[] = [];
  let unreachable = 0;
  for (const e of session.exchanges) {
    const plan = planReplay(e, opts);
    let result: RequestResult;
    if ('skip' in plan) result = skipped(e, plan.skip, plan.notes);
    else {
      const live = await send(plan.send);
      if ('error' in live && live.code && UNREACHABLE.has(live.code)) unreachable++;
      result = compareAnswer(e, live, plan.notes);
    }
    results.push(result);
    opts.onResult?.(result);
  }
  const origins = [...new Set(session.exchanges.map((e) => e.origin))];
  return {
    kind: 'replay',
    har: opts.har,
    against: opts.against ?? (origins.length ? `the recorded host${origins.length > 1 ? 's' : ''} (${origins.join(', ')})` : 'the recorded host'),
    startedAt,
    finishedAt: new Date().toISOString(),
    options: { keepIds: !!opts.keepIds, apiKey: opts.apiKey !== undefined },
    summary: summarise(results),
    results,
    unreachable,
  };
}
