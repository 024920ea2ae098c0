import type { ServerResponse } from 'http';

/**
 * `reset` of X-Emulator-Fault: the connection is closed with no answer at all (a TCP RST where Node can send
 * one), as a proxy or a load balancer that fails mid-request does.
 */
export function resetConnection(res: ServerResponse): void {
  const socket = res.socket;
  if (!socket) return;
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

/** How many pieces a trickled body is sent in, at most. */
const PIECES = 20;

/**
 * `slow-body` of X-Emulator-Fault: the head at once, then the body in pieces spread over `ms` (its
 * Content-Length announced, so the client knows it waits for more). Stops when the client goes away.
 */
export async function writeSlowly(res: ServerResponse, body: Buffer, ms: number): Promise<void> {
  res.setHeader('content-length', String(body.length));
  res.flushHeaders();
  const pieces = Math.max(1, Math.min(PIECES, body.length));
  const size = Math.ceil(body.length / pieces);
  for (let i = 0; i < pieces; i++) {
    await new Promise((resolve) => setTimeout(resolve, ms / pieces));
    if (res.destroyed) return;
    res.write(body.subarray(i * size, (i + 1) * size));
  }
  res.end();
}
