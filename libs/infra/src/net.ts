import { readFileSync } from 'fs';
import { createServer } from 'net';

// One TCP probe for the launcher and the apps' Kafka wrapper.
export { portAnswers } from '@ndxp/platform';

/** Ports this process has handed out: never twice, though the first one may still be unbound. */
const handedOut = new Set<number>();

/** The kernel's range for outgoing connections' source ports (Linux), if it can be read. */
export function ephemeralRange(read = () => readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')): [number, number] | undefined {
  try {
    const [low, high] = read().trim().split(/\s+/).map(Number);
    return Number.isInteger(low) && Number.isInteger(high) && low > 0 && high >= low ? [low, high] : undefined;
  } catch {
    return undefined;
  }
}

function bindsNow(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * A port free right now, for a process about to listen on it (tests and isolated stacks, which must not
 * collide with a running stack). Taken below the kernel's ephemeral range: a port from that range (what
 * `listen(0)` gives) can be taken as the source port of any outgoing connection (a Kafka or PostgreSQL
 * client's) before the app binds it, which failed a test run with EADDRINUSE on 34269.
 */
export async function freePort(): Promise<number> {
  const range = ephemeralRange();
  const below = range && range[0] > 12_000 ? range[0] : undefined;
  for (let tries = 0; below && tries < 200; tries++) {
    const port = 10_000 + Math.floor(Math.random() * (below - 10_000));
    if (handedOut.has(port)) continue;
    handedOut.add(port); // before the check: two callers at once never get the same port
    if (await bindsNow(port)) return port;
    handedOut.delete(port);
  }
  return anyFreePort();
}

/** What the OS picks (the ephemeral range): where the range is unknown, or nothing below it was free. */
function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, intervalMs = 250): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
