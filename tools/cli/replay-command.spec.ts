import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { CITIZEN, harText, LOOKUP, VERIFY } from '../kit/test-sessions';
import { LiveAnswer, OutgoingRequest } from '../kit/replay-compare';
import { replayCommand } from './replay-command';

describe('ndxp replay', () => {
  let dir: string;
  let out: string[];
  let write: jest.SpyInstance;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ndxp-replay-cli-'));
    out = [];
    write = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => out.push(String(s)) > 0);
  });
  afterEach(() => {
    write.mockRestore();
    rmSync(dir, { recursive: true, force: true });
  });

  const har = (text: string) => {
    const p = join(dir, 'session.har');
    writeFileSync(p, text);
    return p;
  };
  const ok =
    (body: unknown = CITIZEN) =>
    async (): Promise<LiveAnswer> => ({ status: 200, headers: [['content-type', 'application/json']], body: Buffer.from(JSON.stringify(body)), timeMs: 1 });

  it('given --help, then the usage, what is compared, how masked requests are handled and the exit codes', async () => {
    expect(await replayCommand(['--help'])).toBe(0);
    const text = out.join('');
    expect(text).toMatch(/replay <session.har> \[--against URL\] \[--out DIR\] \[--api-key K\] \[--keep-ids\]/);
    expect(text).toMatch(/body shape/);
    expect(text).toMatch(/Masked requests are SKIPPED/);
    expect(text).toMatch(/Exit code: 0 .* 1 any changed; 2 bad input/s);
  });

  it('given a session whose answers are kept, then exit 0 and the three reports in --out', async () => {
    const sent: OutgoingRequest[] = [];
    const send = async (r: OutgoingRequest) => (sent.push(r), ok()());
    const code = await replayCommand([har(harText([{ at: 0, url: `${LOOKUP}/001090000001` }])), '--api-key', 'k', '--out', join(dir, 'r')], { send });
    expect(code).toBe(0);
    expect(sent).toHaveLength(1);
    for (const f of ['replay.json', 'replay.junit.xml', 'replay.html']) expect(existsSync(join(dir, 'r', f))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'r', 'replay.json'), 'utf8')).summary).toEqual({ requests: 1, kept: 1, changed: 0, skipped: 0 });
    expect(out.join('')).toMatch(/1 request\(s\): 1 kept, 0 changed, 0 skipped/);
  });

  it('given an answer that changed, then exit 1 and the change printed', async () => {
    const code = await replayCommand([har(harText([{ at: 0, url: `${LOOKUP}/001090000001` }])), '--api-key', 'k', '--out', join(dir, 'r')], { send: ok({ other: true }) });
    expect(code).toBe(1);
    expect(out.join('')).toMatch(/#1 GET .*: changed \(body shape: /);
    expect(readFileSync(join(dir, 'r', 'replay.junit.xml'), 'utf8')).toContain('failures="1"');
  });

  it('given a gateway that does not answer at all, then a clear error (exit 2)', async () => {
    const send = async (): Promise<LiveAnswer> => ({ error: 'connect ECONNREFUSED', code: 'ECONNREFUSED', timeMs: 0 });
    await expect(replayCommand([har(harText([{ at: 0, url: `${LOOKUP}/001090000001` }])), '--api-key', 'k', '--out', join(dir, 'r')], { send })).rejects.toThrow(
      /nothing answered at the recorded host: is the gateway up/,
    );
  });

  it('given a masked session, then the credential must come from --api-key, and all-skipped is an error', async () => {
    const masked = har(harText([{ at: 0, url: `${LOOKUP}/001090000001` }], 'masked'));
    await expect(replayCommand([masked, '--out', join(dir, 'r')])).rejects.toThrow(/masked the credential of 1 request\(s\) \(#1\): give the client's key with --api-key K/);
    await expect(replayCommand([masked, '--api-key', 'k', '--out', join(dir, 'r')], { send: ok() })).rejects.toThrow(/every request was skipped .* JOURNAL_BODIES=clear/);
  });

  it('given a mix, then masked requests are skipped and listed, the others compared', async () => {
    const mixed = har(
      harText(
        [
          { at: 0, url: `${LOOKUP}/001090000001` },
          { at: 1, method: 'POST', url: VERIFY, body: '{"sex":"male"}', resBody: '{"result":"match","checked":["sex"]}' },
        ],
        'masked',
      ),
    );
    const code = await replayCommand([mixed, '--api-key', 'k', '--out', join(dir, 'r')], { send: ok({ result: 'match', checked: ['sex'] }) });
    expect(code).toBe(0);
    expect(out.join('')).toMatch(/#1 GET .*: skipped \(the journal masked personal data in the URL/);
  });

  it.each([
    [[], /needs one HAR file/],
    [['a.har', 'b.har'], /needs one HAR file/],
    [['x.har', '--bogus'], /unknown option --bogus/],
    [['x.har', '--against'], /--against needs a value/],
    [['x.har', '--against', 'ftp://x'], /--against must be an http\(s\) URL/],
    [['/nonexistent/session.har'], /cannot read \/nonexistent\/session.har: no such file/],
  ])('given %j, then refused with the reason', async (args, reason) => {
    await expect(replayCommand(args)).rejects.toThrow(reason);
  });

  it('given a file that is not a HAR, or holds no requests, then refused', async () => {
    await expect(replayCommand([har('<html>')])).rejects.toThrow(/session.har: not JSON/);
    await expect(replayCommand([har('{"log":{"version":"1.2","entries":[]}}')])).rejects.toThrow(/holds no requests to replay/);
  });
});
