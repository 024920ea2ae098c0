import type { Server } from 'http';
import type { Socket } from 'net';
import { createServer as createTlsServer, TLSSocket, TlsOptions } from 'tls';

/** The first byte of a TLS connection: a handshake record (RFC 8446 §5.1). An HTTP request starts with a letter. */
const TLS_HANDSHAKE = 0x16;

/**
 * Lets an HTTP server take HTTPS on the same port: each connection's first byte says which it is (a TLS
 * handshake record, or a request line), and a TLS connection is decrypted before it reaches the same HTTP
 * handler, with the same limits. So health checks, metrics scrapes and plain-HTTP clients keep working while
 * a connector calls https:// on the same port (an X-Road security server takes its information systems on
 * 8080 and 8443; the IS connection type decides which a client must use). With `requestCert` the client's
 * certificate is on `req.socket` (a TLSSocket: getPeerCertificate(), authorized, authorizationError).
 * Call before the server listens. A connection that sends nothing, or no complete handshake, within
 * `handshakeTimeoutMs` is closed.
 */
export function acceptTls(server: Server, options: TlsOptions, handshakeTimeoutMs = 10_000): void {
  const listeners = server.listeners('connection') as Array<(this: Server, s: Socket) => void>;
  server.removeAllListeners('connection');
  const serve = (s: Socket) => listeners.forEach((l) => l.call(server, s));
  const tlsServer = createTlsServer({ ...options, handshakeTimeout: handshakeTimeoutMs });
  tlsServer.on('secureConnection', (s: TLSSocket) => serve(s));
  tlsServer.on('tlsClientError', (_e: Error, s: TLSSocket) => s.destroy());
  server.on('connection', (socket: Socket) => {
    const drop = () => socket.destroy();
    socket.on('error', drop); // a reset before the first byte: nobody else listens yet
    socket.setTimeout(handshakeTimeoutMs, drop);
    socket.once('readable', () => {
      socket.setTimeout(0);
      socket.removeListener('timeout', drop);
      socket.removeListener('error', drop);
      const first = socket.read(1) as Buffer | null;
      if (first === null) return void socket.destroy(); // closed before sending anything
      socket.unshift(first);
      if (first[0] === TLS_HANDSHAKE) tlsServer.emit('connection', socket);
      else serve(socket);
    });
  });
}
