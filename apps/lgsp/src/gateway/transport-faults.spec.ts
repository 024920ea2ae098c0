import { createServer, get, IncomingMessage, Server } from 'http';
import { AddressInfo } from 'net';
import { resetConnection, writeSlowly } from './transport-faults';

describe('faults on the answer’s connection (X-Emulator-Fault reset, slow-body)', () => {
  let server: Server;
  let port: number;
  let mode: 'reset' | 'slow';
  const body = Buffer.from(JSON.stringify({ personalId: '001030000483', fullName: 'Nguyễn Văn A' }));

  beforeAll(async () => {
    server = createServer((_req, res) => {
      if (mode === 'reset') return resetConnection(res);
      res.statusCode = 200;
      res.setHeader('content-type', 'application/json');
      void writeSlowly(res, body, 300);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const call = () =>
    new Promise<{ res: IncomingMessage; chunks: Array<{ at: number; bytes: Buffer }>; started: number }>((resolve, reject) => {
      const started = Date.now();
      get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
        const chunks: Array<{ at: number; bytes: Buffer }> = [];
        res.on('data', (bytes: Buffer) => chunks.push({ at: Date.now(), bytes }));
        res.on('end', () => resolve({ res, chunks, started }));
      }).on('error', reject);
    });

  it('given reset, when called, then the client gets no answer, only a closed connection', async () => {
    mode = 'reset';
    await expect(call()).rejects.toThrow(/ECONNRESET|socket hang up/);
  });

  it('given slow-body, when called, then the head comes at once and the whole body in pieces over the time asked for', async () => {
    mode = 'slow';
    const { res, chunks, started } = await call();
    expect(res.headers['content-length']).toBe(String(body.length));
    expect(Buffer.concat(chunks.map((c) => c.bytes))).toEqual(body);
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks[chunks.length - 1].at - started).toBeGreaterThanOrEqual(250);
  });
});
