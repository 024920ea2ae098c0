import { spawn } from 'child_process';
import { createServer, Server } from 'http';
import { AddressInfo } from 'net';
import { AppProcess, PortCollisionError, waitHealthy } from './stack';

describe('waitHealthy', () => {
  let server: Server;
  let port: number;

  beforeAll(async () => {
    // Another app of the emulator, healthy, on the port the new process was given.
    server = createServer((_, res) => res.end(JSON.stringify({ status: 'ok', app: 'providers', instance: 'providers-1', pid: 4242 })));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('given another app answering on the port, fails naming both instead of reporting the new process healthy', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)']);
    const p: AppProcess = { app: 'lgsp', instance: 'lgsp-2', port, child, extraEnv: {} };
    try {
      const wait = waitHealthy(p, 5000);
      await expect(wait).rejects.toThrow(PortCollisionError);
      await expect(wait).rejects.toThrow(`port ${port} is held by providers (providers-1, pid 4242), not by lgsp-2`);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
