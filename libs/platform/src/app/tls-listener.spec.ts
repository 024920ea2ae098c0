import { createServer, Server } from 'http';
import { request } from 'https';
import { AddressInfo, connect } from 'net';
import { TLSSocket } from 'tls';
import { createLocalCa, issueClientCert, issueServerCert, Issued } from '@ndxp/infra/tls';
import { acceptTls } from './tls-listener';

/** What the handler saw of the connection. */
const seen = (req: { socket: unknown }) => {
  const s = req.socket as TLSSocket;
  if (!s.encrypted) return { tls: false };
  const cert = s.getPeerCertificate();
  return { tls: true, authorized: s.authorized, cn: cert && 'subject' in cert ? cert.subject?.CN : undefined };
};

describe('HTTP and HTTPS on one port (acceptTls)', () => {
  let server: Server;
  let port: number;
  let ca: Issued;
  let client: Issued;

  beforeAll(async () => {
    ca = await createLocalCa();
    const tlsServer = await issueServerCert(ca);
    client = await issueClientCert(ca, 'VN/GOV/000.00.00.H26/MOTCUA');
    server = createServer((req, res) => {
      let n = 0;
      req.on('data', (c: Buffer) => (n += c.length));
      req.on('end', () => res.end(JSON.stringify({ ...seen(req), bytes: n })));
    });
    acceptTls(server, { key: tlsServer.keyPem, cert: tlsServer.certPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: false }, 500);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const https = (o: { cert?: string; key?: string; body?: Buffer } = {}) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/x', ca: ca.certPem, servername: 'localhost', cert: o.cert, key: o.key, agent: false }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve(JSON.parse(text)));
      });
      req.on('error', reject);
      req.end(o.body ?? Buffer.alloc(0));
    });

  it('given a plain HTTP request, when served, then as before', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/x`, { method: 'POST', body: 'abc' });
    expect(await res.json()).toEqual({ tls: false, bytes: 3 });
  });

  it('given HTTPS with a client certificate of the CA and a 1 MiB body, when served, then the handler sees the verified certificate and every byte', async () => {
    expect(await https({ cert: client.certPem, key: client.keyPem, body: Buffer.alloc(1 << 20) })).toEqual({
      tls: true,
      authorized: true,
      cn: 'VN/GOV/000.00.00.H26/MOTCUA',
      bytes: 1 << 20,
    });
  });

  it('given HTTPS without a client certificate, when served, then the handler sees TLS and no certificate', async () => {
    expect(await https()).toEqual({ tls: true, authorized: false, bytes: 0 }); // no cn: no certificate
  });

  it('given a connection that sends nothing, when the handshake time passes, then it is closed', async () => {
    const socket = connect(port, '127.0.0.1');
    const closedAfter = await new Promise<number>((r) => {
      const t = Date.now();
      socket.on('close', () => r(Date.now() - t));
    });
    expect(closedAfter).toBeGreaterThanOrEqual(400);
  });
});
