import { ChildProcess, fork } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import http from 'http';
import { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { isConnectionError, latencySummary, openLoad } from './open-load';

// The load generator against a real local HTTP server that answers at once. Halfway through, the
// generator's own event loop is blocked for 400 ms (a GC pause, a busy core): the requests that fell due
// meanwhile go out late. Timed from when they were sent they look fast; timed from when they were due
// they show the 400 ms a user arriving then would have waited (coordinated omission, as wrk2 corrects it).
describe('openLoad: latency from the intended arrival time', () => {
  let server: http.Server;
  let port: number;

  beforeAll(async () => {
    server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('given the generator stalls for 400 ms, when latencies are reported, then only the intended-time ones show the stall', async () => {
    setTimeout(() => {
      const until = Date.now() + 400;
      while (Date.now() < until); // the stall
    }, 1000);
    const r = await openLoad({ rateAt: () => 200, durationS: 2, warmupS: 0, next: () => ({ method: 'GET', path: '/', headers: {}, port }) });
    const sent = latencySummary(r.sentUs);
    const intended = latencySummary(r.intendedUs);
    expect(r.completed).toBeGreaterThanOrEqual(380);
    expect(sent.count).toBe(r.completed);
    // About 80 of 400 arrivals fell due during the stall: the top 5 % waited for it.
    expect(intended.p99).toBeGreaterThan(300);
    expect(intended.p95).toBeGreaterThan(100);
    // while from when sent they hide it: at least 200 ms of the 400 ms stall is missing from their p99 (a bound, not
    // "under 100 ms", since a busy machine slows every request a little: seen at p95 151 ms with other tests running)
    expect(intended.p99 - sent.p99).toBeGreaterThan(200);
    expect(intended.max).toBeGreaterThanOrEqual(sent.max);
    expect(r.generatorCores).toBeGreaterThan(0);
  });
});

describe('openLoad: requests that get no HTTP answer', () => {
  it('given a port nothing listens on, then each request is a connection error naming the socket error, counted as a server error', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const r = await openLoad({ rateAt: () => 20, durationS: 0.5, warmupS: 0, next: () => ({ method: 'GET', path: '/', headers: {}, port }) });
    expect(r.completed).toBeGreaterThan(0);
    expect(r.byOutcome).toEqual({ 'connection error (ECONNREFUSED)': r.completed });
    expect(r.errors).toBe(r.completed);
    expect(isConnectionError('connection error (ECONNREFUSED)')).toBe(true);
    expect(isConnectionError('Server.ServerProxy.IOError')).toBe(false);
  });
});

describe('openLoad: a load generator that was starved does not reuse sockets the server closed', () => {
  // The server in a process of its own, with a 3 s keep-alive (Node's agent then keeps an idle socket 2 s, 1 s short
  // of the server's hint, by a timer): while the generator stalls, its timers and socket events wait, the server's do not.
  let server: ChildProcess;
  let port: number;

  beforeAll(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'open-load-')), 'server.js');
    writeFileSync(
      file,
      "const s = require('http').createServer((q, r) => r.end('ok')); s.keepAliveTimeout = 3000; s.listen(0, '127.0.0.1', () => process.send(s.address().port));",
    );
    server = fork(file);
    port = await new Promise<number>((resolve) => server.once('message', (p) => resolve(p as number)));
  });
  afterAll(() => server.kill());

  it('given a 4 s stall (no CPU: the process is not scheduled) 0.5 s into the load, then every request after it is answered', async () => {
    const r = await openLoad({
      rateAt: () => 40,
      durationS: 2,
      warmupS: 0,
      next: (i) => {
        if (i === 20) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 4000);
        return { method: 'GET', path: '/', headers: {}, port };
      },
    });
    expect(r.completed).toBeGreaterThanOrEqual(78);
    expect(r.byOutcome).toEqual({ 'HTTP 200': r.completed });
  });
});
