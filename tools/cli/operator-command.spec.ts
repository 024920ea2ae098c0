import { createServer, IncomingMessage, Server } from 'http';
import { AddressInfo } from 'net';
import { operatorCommand } from './operator-command';

interface Seen {
  method?: string;
  url?: string;
  auth?: string;
  body?: unknown;
}

/** A stand-in registry: records each call and answers with `answer`. */
async function fakeRegistry(answer: (seen: Seen) => { status: number; body: unknown }): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      const s: Seen = { method: req.method, url: req.url, auth: req.headers.authorization, body: text ? JSON.parse(text) : undefined };
      seen.push(s);
      const a = answer(s);
      res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise((r) => server.close(() => r())) };
}

describe('ndxp operator issue / revoke / list', () => {
  let out: string[];
  let write: jest.SpyInstance;
  const token = `Bearer ${process.env.ADMIN_TOKEN ?? 'ndxp-admin-dev-token'}`;

  beforeEach(() => {
    out = [];
    write = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => out.push(String(s)) > 0);
  });
  afterEach(() => write.mockRestore());

  it('given --help, then the usage', async () => {
    await operatorCommand(['--help']);
    expect(out.join('')).toMatch(/operator issue <LGSP agency code>/);
  });

  it('given issue, then POST /admin/operators with the admin token, and the key printed once with how to use it', async () => {
    const registry = await fakeRegistry(() => ({ status: 201, body: { keyId: 'abcdef012345', apiKey: 'ndxpop_the-new-key' } }));
    try {
      await operatorCommand(['issue', '000.00.00.H26', '--registry', registry.url]);
      expect(registry.seen).toEqual([{ method: 'POST', url: '/admin/operators', auth: token, body: { lgsp: '000.00.00.H26' } }]);
      const text = out.join('');
      expect(text).toMatch(/issued key abcdef012345 to the operator of LGSP 000\.00\.00\.H26/);
      expect(text.split('ndxpop_the-new-key')).toHaveLength(2);
      expect(text).toMatch(/\/ledger\?pageSize=10' -H 'X-API-Key: <the key>'/);
    } finally {
      await registry.close();
    }
  });

  it('given revoke and list, then POST /admin/operators/revoke and GET /admin/operators, the keys listed with their state', async () => {
    const registry = await fakeRegistry((s) =>
      s.method === 'GET' ? { status: 200, body: { lgsp: '000.00.00.H26', keys: [{ keyId: 'abcdef012345', revoked: true }] } } : { status: 200, body: {} },
    );
    try {
      await operatorCommand(['revoke', '000.00.00.H26', 'abcdef012345', '--registry', registry.url]);
      await operatorCommand(['list', '000.00.00.H26', '--registry', registry.url]);
      expect(registry.seen).toEqual([
        { method: 'POST', url: '/admin/operators/revoke', auth: token, body: { lgsp: '000.00.00.H26', keyId: 'abcdef012345' } },
        { method: 'GET', url: '/admin/operators?lgsp=000.00.00.H26', auth: token, body: undefined },
      ]);
      expect(out.join('')).toMatch(/revoked key abcdef012345[\s\S]*abcdef012345 {2}revoked/);
    } finally {
      await registry.close();
    }
  });

  it('given the registry refuses, then the refusal with its status and reason', async () => {
    const registry = await fakeRegistry(() => ({ status: 404, body: { code: 'NOT_FOUND', message: '000.00.00.G01 is no LGSP in the registry' } }));
    try {
      await expect(operatorCommand(['issue', '000.00.00.G01', '--registry', registry.url])).rejects.toThrow(/refused: 404 .*is no LGSP/);
    } finally {
      await registry.close();
    }
  });

  it.each([
    [['issue'], /needs an LGSP's agency code/],
    [['issue', 'H26'], /not an agency code/],
    [['revoke', '000.00.00.H26'], /needs the key id/],
    [['revoke', '000.00.00.H26', 'nope'], /needs the key id/],
    [['issue', '000.00.00.H26', '--bogus'], /unknown option --bogus/],
    [['issue', '000.00.00.H26', '--registry'], /--registry needs a value/],
    [['frobnicate'], /unknown operator command/],
  ])('given %j, then refused with the reason, nothing sent', async (args, reason) => {
    await expect(operatorCommand(args)).rejects.toThrow(reason);
  });
});
