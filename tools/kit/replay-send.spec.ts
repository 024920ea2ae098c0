import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import { parseHar } from './har-read';
import { replaySession, sendOnce } from './replay-send';
import { CITIZEN, faultAnswer, harText, LOOKUP, Rec } from './test-sessions';

/** A tiny gateway in this process: what it was sent, and an answer the test chooses. */
async function fakeGateway(
  answer: (req: IncomingMessage, body: string, res: ServerResponse) => void,
): Promise<{ url: string; got: Array<{ req: IncomingMessage; body: string }>; server: Server }> {
  const got: Array<{ req: IncomingMessage; body: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      got.push({ req, body });
      answer(req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, got, server };
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

describe('replay against a gateway (an in-process stand-in)', () => {
  let gw: Awaited<ReturnType<typeof fakeGateway>>;
  let providerChanged = false;

  beforeAll(async () => {
    gw = await fakeGateway((req, _body, res) => {
      if (req.headers['x-emulator-fault'] === 'reset') return void req.socket.destroy();
      if (req.url!.includes('001090000002'))
        return json(res, 500, { type: 'Server.ServerProxy.NetworkError', message: 'down', detail: 'ref-2' }, { 'x-road-error': 'Server.ServerProxy.NetworkError' });
      json(res, 200, providerChanged ? { ...CITIZEN, dateOfBirth: 19900517 } : { ...CITIZEN, fullName: 'Lê Văn C' }, { 'x-road-transaction-id': `tx-${Math.random()}` });
    });
  });
  afterAll(() => new Promise((r) => gw.server.close(r)));
  beforeEach(() => {
    gw.got.length = 0;
    providerChanged = false;
  });

  const recorded: Rec[] = [
    { at: 0, url: `${LOOKUP}/001090000001?x=%2F&y=a+b`, headers: { 'X-Road-Id': 'rec-1', 'Idempotency-Key': 'k-1', 'User-Agent': 'connector/1.0' } },
    { at: 10, url: `${LOOKUP}/001090000002`, ...faultAnswer('Server.ServerProxy.NetworkError') },
    { at: 20, url: `${LOOKUP}/001090000003`, headers: { 'X-Emulator-Fault': 'reset' } },
  ];

  it('given a session recorded from the gateway, when replayed unchanged, then every answer kept, and the requests went as recorded', async () => {
    const session = parseHar(harText(recorded.map((r) => ({ ...r, origin: gw.url }))));
    const report = await replaySession(session, { har: 's.har', apiKey: 'ndxp_live_key' });
    expect(report.results.map((r) => [r.verdict, r.changes])).toEqual([
      ['kept', []],
      ['kept', []],
      ['kept', []],
    ]);
    expect(report.summary).toEqual({ requests: 3, kept: 3, changed: 0, skipped: 0 });
    const first = gw.got[0];
    expect(first.req.url).toBe(`${LOOKUP}/001090000001?x=%2F&y=a+b`);
    expect(first.req.headers['x-road-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.req.headers['idempotency-key']).toBe('k-1');
    expect(first.req.headers['x-api-key']).toBe('ndxp_live_key');
    expect(first.req.headers['user-agent']).toBe('connector/1.0');
    expect(first.req.headers['x-road-client']).toBe('VN/GOV/000.00.00.H26/MOTCUA');
  });

  it('given the provider changed its answer, when replayed (--against the same gateway), then that request is reported changed', async () => {
    providerChanged = true;
    const session = parseHar(harText(recorded.map((r) => ({ ...r, origin: 'http://recorded.invalid:1' }))));
    const report = await replaySession(session, { har: 's.har', against: gw.url, apiKey: 'k' });
    expect(report.results[0].verdict).toBe('changed');
    expect(report.results[0].changes).toEqual(['body shape: $.dateOfBirth: string → number']);
    expect(report.results.slice(1).map((r) => r.verdict)).toEqual(['kept', 'kept']);
  });

  it('given nothing listening, then no answer with the connection error (not a throw)', async () => {
    const a = await sendOnce({ method: 'GET', url: 'http://127.0.0.1:1/x', headers: [] });
    expect(a).toEqual(expect.objectContaining({ code: 'ECONNREFUSED' }));
  });
});
