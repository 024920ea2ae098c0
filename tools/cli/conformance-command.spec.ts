import { createServer, IncomingMessage, Server } from 'http';
import { AddressInfo } from 'net';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { CLIENT, faultAnswer, harText, LOOKUP } from '../kit/test-sessions';
import { conformanceCommand } from './conformance-command';

describe('ndxp conformance', () => {
  let dir: string;
  let out: string[];
  let write: jest.SpyInstance;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ndxp-conformance-cli-'));
    out = [];
    write = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => out.push(String(s)) > 0);
  });
  afterEach(() => {
    write.mockRestore();
    rmSync(dir, { recursive: true, force: true });
  });

  const naive = harText([
    { at: 0, url: `${LOOKUP}/001090000001`, ...faultAnswer('Server.ServerProxy.AccessDenied') },
    { at: 50, url: `${LOOKUP}/001090000001`, ...faultAnswer('Server.ServerProxy.AccessDenied') },
  ]);

  it('given --help, then the forms, every rule id and the exit codes', async () => {
    expect(await conformanceCommand(['--help'])).toBe(0);
    const text = out.join('');
    for (let i = 1; i <= 8; i++) expect(text).toContain(`XRD-00${i}`);
    expect(text).toMatch(/--client SUBSYSTEM --from GATEWAY_URL/);
    expect(text).toMatch(/not checkable/);
    expect(text).toMatch(/Exit code: 0 no rule failed; 1 a rule failed; 2 bad input/);
  });

  it('given a HAR where the connector broke rules, then exit 1, the failures printed, the three reports', async () => {
    const file = join(dir, 's.har');
    writeFileSync(file, naive);
    expect(await conformanceCommand([file, '--out', join(dir, 'r')])).toBe(1);
    const text = out.join('');
    expect(text).toMatch(/XRD-004 FAIL +retries only of retryable failures/);
    expect(text).toMatch(/#2 retries #1 \(retry 1\) after 500 Server.ServerProxy.AccessDenied/);
    expect(text).toMatch(/XRD-006 FAIL/);
    for (const f of ['conformance.json', 'conformance.junit.xml', 'conformance.html']) expect(existsSync(join(dir, 'r', f))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'r', 'conformance.json'), 'utf8')).rules).toHaveLength(8);
  });

  describe('--client --from: the journal fetched from the gateway', () => {
    let server: Server;
    let url: string;
    let got: IncomingMessage[];
    let answer: { status: number; body: string };

    beforeAll(async () => {
      got = [];
      server = createServer((req, res) => {
        got.push(req);
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise((r) => server.close(r)));
    beforeEach(() => (got.length = 0));

    it('given the client and its key, then its journal is read with that key, checked, and kept as session.har', async () => {
      answer = { status: 200, body: naive };
      expect(await conformanceCommand(['--client', CLIENT, '--from', `${url}/`, '--api-key', 'ndxp_k', '--out', join(dir, 'r')])).toBe(1);
      expect(got[0].url).toBe(`/journal.har?client=${encodeURIComponent(CLIENT)}`);
      expect(got[0].headers['x-api-key']).toBe('ndxp_k');
      expect(readFileSync(join(dir, 'r', 'session.har'), 'utf8')).toBe(naive);
    });

    it('given no key, then the admin token', async () => {
      answer = { status: 200, body: naive };
      await conformanceCommand(['--client', CLIENT, '--from', url, '--out', join(dir, 'r')]);
      expect(got[0].headers.authorization).toBe(`Bearer ${process.env.ADMIN_TOKEN ?? 'ndxp-admin-dev-token'}`);
    });

    it('given a refusal, or an empty journal, then a clear error', async () => {
      answer = { status: 401, body: '{"code":"UNAUTHORIZED"}' };
      await expect(conformanceCommand(['--client', CLIENT, '--from', url, '--out', join(dir, 'r')])).rejects.toThrow(/the gateway refused .*: 401 \{"code":"UNAUTHORIZED"\}/);
      answer = { status: 200, body: '{"log":{"version":"1.2","entries":[]}}' };
      await expect(conformanceCommand(['--client', CLIENT, '--from', url, '--out', join(dir, 'r')])).rejects.toThrow(
        /no exchanges of VN\/GOV\/000.00.00.H26\/MOTCUA .*is it the one the connector called/,
      );
    });
  });

  it.each([
    [[], /needs a HAR file, or --client SUBSYSTEM --from GATEWAY_URL/],
    [['s.har', '--from', 'http://x'], /not both/],
    [['--from', 'http://127.0.0.1:1'], /--from needs --client/],
    [['s.har', '--client', 'VN/GOV'], /--client VN\/GOV: needs 3 parts/],
    [['s.har', '--storm-rps', '0'], /--storm-rps must be a whole number from 1/],
    [['/nonexistent.har'], /cannot read \/nonexistent.har: no such file/],
  ])('given %j, then refused with the reason', async (args, reason) => {
    await expect(conformanceCommand(args)).rejects.toThrow(reason);
  });

  it('given a gateway that does not answer, then says so', async () => {
    await expect(conformanceCommand(['--client', CLIENT, '--from', 'http://127.0.0.1:1', '--out', join(dir, 'r')])).rejects.toThrow(
      /the gateway at http:\/\/127.0.0.1:1 did not answer .*is it up/,
    );
  });
});
