import { createServer, IncomingMessage, Server } from 'http';
import { AddressInfo } from 'net';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { fingerprintOf } from '@ndxp/infra/tls';
import { tlsCommand } from './tls-command';

describe('ndxp tls init / issue', () => {
  let dir: string;
  let out: string[];
  let write: jest.SpyInstance;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ndxp-tls-cli-'));
    out = [];
    write = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => out.push(String(s)) > 0);
  });

  afterEach(() => {
    write.mockRestore();
    rmSync(dir, { recursive: true, force: true });
  });

  it('given --help, then the usage', async () => {
    await tlsCommand(['--help']);
    expect(out.join('')).toMatch(/tls init \[--dir DIR\]/);
  });

  it('given init then issue without --register, then the files, the fingerprint and the next steps (curl with --cert, --key, --cacert)', async () => {
    await tlsCommand(['init', '--dir', dir]);
    expect(out.join('')).toMatch(/created a CA/);
    expect(out.join('')).toContain(`LGSP_TLS_CA=${join(dir, 'ca.crt')}`);
    out.length = 0;
    await tlsCommand(['issue', 'VN/GOV/000.00.00.H26/MOTCUA', '--dir', dir, '--days', '30']);
    const text = out.join('');
    const cert = join(dir, 'clients', 'VN_GOV_000.00.00.H26_MOTCUA.crt');
    expect(text).toContain(`SHA-256 fingerprint ${fingerprintOf(readFileSync(cert, 'utf8'))}`);
    expect(text).toMatch(/not registered yet/);
    expect(text).toContain(`--cert ${cert} --key ${cert.replace(/\.crt$/, '.key')} --cacert ${join(dir, 'ca.crt')}`);
  });

  it('given --register, then the certificate is posted to the registry with the admin token', async () => {
    const got: Array<{ auth?: string; body: { client: string; certificatePem: string } }> = [];
    const registry: Server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        got.push({ auth: req.headers.authorization, body: JSON.parse(body) });
        res.writeHead(201, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => registry.listen(0, '127.0.0.1', r));
    try {
      await tlsCommand(['init', '--dir', dir]);
      const url = `http://127.0.0.1:${(registry.address() as AddressInfo).port}`;
      await tlsCommand(['issue', 'VN/GOV/000.00.00.H26/MOTCUA', '--dir', dir, '--register', '--registry', url]);
      expect(got).toHaveLength(1);
      expect(got[0].auth).toBe(`Bearer ${process.env.ADMIN_TOKEN ?? 'ndxp-admin-dev-token'}`);
      expect(got[0].body.client).toBe('VN/GOV/000.00.00.H26/MOTCUA');
      expect(got[0].body.certificatePem).toBe(readFileSync(join(dir, 'clients', 'VN_GOV_000.00.00.H26_MOTCUA.crt'), 'utf8'));
      expect(out.join('')).toMatch(/registered for VN\/GOV\/000.00.00.H26\/MOTCUA/);
    } finally {
      await new Promise((r) => registry.close(r));
    }
  });

  it.each([
    [['issue'], /needs a client subsystem/],
    [['issue', 'VN/GOV/x'], /not a subsystem id/],
    [['issue', 'VN/GOV/000.00.00.H26/MOTCUA', '--days', '0'], /--days must be/],
    [['issue', 'VN/GOV/000.00.00.H26/MOTCUA', '--bogus'], /unknown option --bogus/],
    [['frobnicate'], /unknown tls command/],
  ])('given %j, then refused with the reason', async (args, reason) => {
    await expect(tlsCommand(args)).rejects.toThrow(reason);
  });

  it('given no CA, when issuing, then it says to run tls init', async () => {
    await expect(tlsCommand(['issue', 'VN/GOV/000.00.00.H26/MOTCUA', '--dir', dir])).rejects.toThrow(/tls init/);
  });
});
