import { createServer } from 'http';
import { applyHttpLimits, DEFAULT_HTTP_LIMITS, httpLimitsOf } from './http-limits';

describe('the HTTP server limits', () => {
  it('given no settings, when read, then the defaults: 10 s for a head, 30 s for a request, 5 s keep-alive, 16 KiB of head', () => {
    expect(httpLimitsOf({})).toEqual({ headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5_000, maxHeaderSize: 16 * 1024 });
  });

  it('given settings, when read, then they are taken', () => {
    const limits = httpLimitsOf({ HTTP_HEADERS_TIMEOUT_MS: 2000, HTTP_REQUEST_TIMEOUT_MS: 4000, HTTP_KEEP_ALIVE_TIMEOUT_MS: 100, HTTP_MAX_HEADER_SIZE: 8192 });
    expect(limits).toEqual({ headersTimeout: 2000, requestTimeout: 4000, keepAliveTimeout: 100, maxHeaderSize: 8192 });
  });

  it('given a head timeout longer than the request timeout, when read, then refused naming both settings', () => {
    expect(() => httpLimitsOf({ HTTP_HEADERS_TIMEOUT_MS: 60_000 })).toThrow(/HTTP_HEADERS_TIMEOUT_MS \(60000\) must not exceed HTTP_REQUEST_TIMEOUT_MS \(30000\)/);
  });

  it('given a server, when the limits are applied, then it has them, and a head over the limit is answered 431', async () => {
    const server = createServer((_req, res) => res.end('ok'));
    applyHttpLimits(server, { ...DEFAULT_HTTP_LIMITS, maxHeaderSize: 1024 });
    expect({ h: server.headersTimeout, r: server.requestTimeout, k: server.keepAliveTimeout }).toEqual({ h: 10_000, r: 30_000, k: 5_000 });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
      expect((await fetch(url, { headers: { 'x-small': 'a'.repeat(100) } })).status).toBe(200);
      expect((await fetch(url, { headers: { 'x-large': 'a'.repeat(2000) } })).status).toBe(431);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
