import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { HarError, isMaskedText, parseHar, readHarFile, serviceOfTarget, splitUrl } from './har-read';
import { CLIENT, faultAnswer, harText, LOOKUP, POPULATION, session, T0, VERIFY } from './test-sessions';

describe('reading a recorded session (HAR)', () => {
  it('given the journal’s HAR, then each exchange with its X-Road parts, in the HAR’s order', () => {
    const s = session([
      { at: 0, url: `${LOOKUP}/001090000001`, headers: { 'X-Road-Id': 'id-1', 'Idempotency-Key': 'k-1' } },
      { at: 50, ms: 5000, url: `${LOOKUP}/001090000002`, ...faultAnswer('Server.ServerProxy.IOError') },
    ]);
    expect(s.bodies).toBe('clear');
    expect(s.dropped).toBe(0);
    const [a, b] = s.exchanges;
    expect(a).toEqual(
      expect.objectContaining({
        index: 1,
        seq: 1,
        startedAt: T0,
        method: 'GET',
        origin: 'http://127.0.0.1:3003',
        target: `${LOOKUP}/001090000001`,
        client: CLIENT,
        service: `${POPULATION}/citizen-lookup`,
        serviceCode: 'citizen-lookup',
        sentXRoadId: 'id-1',
        idempotencyKey: 'k-1',
        status: 200,
        noAnswer: false,
        transactionId: 'tx-1',
      }),
    );
    expect(a.faultType).toBeUndefined();
    expect(b).toEqual(expect.objectContaining({ index: 2, timeMs: 5000, status: 500, faultType: 'Server.ServerProxy.IOError' }));
    expect(b.sentXRoadId).toBeUndefined();
  });

  it('given a masked journal, then the masks are seen in the URL and the bodies', () => {
    const s = session(
      [{ at: 0, method: 'POST', url: VERIFY, body: JSON.stringify({ personalId: '001090000001', fullName: 'An' }), resBody: '{"result":"match","checked":["fullName"]}' }],
      'masked',
    );
    const [e] = s.exchanges;
    expect(e.requestBody?.masked).toBe(true);
    expect(e.responseBody.masked).toBe(false);
    const lookup = session([{ at: 0, url: `${LOOKUP}/001090000001` }], 'masked').exchanges[0];
    expect(isMaskedText(lookup.target)).toBe(true);
    expect(lookup.responseBody.masked).toBe(true);
  });

  it('given X-Emulator-Fault: reset, then the client got no answer', () => {
    const [e] = session([{ at: 0, url: `${LOOKUP}/001090000001`, headers: { 'X-Emulator-Fault': 'latency=10ms;reset' } }]).exchanges;
    expect(e.noAnswer).toBe(true);
    expect(e.emulatorFault).toBe('latency=10ms;reset');
  });

  it('given a HAR from another tool (no _xRoad), then client and service come from the headers and the path', () => {
    const har = JSON.parse(harText([{ at: 0, url: `${LOOKUP}/001090000001` }]));
    delete har.log.entries[0]._xRoad;
    const [e] = parseHar(JSON.stringify(har)).exchanges;
    expect(e.client).toBe(CLIENT);
    expect(e.service).toBe(`${POPULATION}/citizen-lookup`);
    expect(serviceOfTarget('/XrdAdapter/RestService/forward/citizen-lookup/1?dstcode=VN:GOV:000.00.00.G01:CSDLQGDC')).toEqual({
      service: `${POPULATION}/citizen-lookup`,
      serviceCode: 'citizen-lookup',
    });
  });

  it('given a URL with dot segments and escapes, when split, then the target is kept byte for byte', () => {
    expect(splitUrl('http://h:1/r1/a/%2e%2e/b?x=%zz')).toEqual({ origin: 'http://h:1', target: '/r1/a/%2e%2e/b?x=%zz' });
    expect(splitUrl('ftp://h/x')).toBeUndefined();
  });

  it.each([
    ['not json', /not JSON/],
    ['{}', /no "log" object/],
    ['{"log":{}}', /log.entries is not a list/],
    ['{"log":{"version":"2.0","entries":[]}}', /HAR version 2.0/],
    ['{"log":{"entries":[{"request":{"method":"GET"},"response":{"status":200}}]}}', /log.entries\[0\].request needs a method and a url/],
    ['{"log":{"entries":[{"startedDateTime":"x","request":{"method":"GET","url":"http://h/"},"response":{"status":200}}]}}', /startedDateTime/],
    ['{"log":{"entries":[{"startedDateTime":"2026-01-01T00:00:00Z","request":{"method":"GET","url":"/relative"},"response":{"status":200}}]}}', /not an absolute http\(s\) URL/],
  ])('given %s, then a HarError saying what is wrong', (text, reason) => {
    expect(() => parseHar(text)).toThrow(HarError);
    expect(() => parseHar(text)).toThrow(reason);
  });

  it('given a missing file or a directory, then a HarError naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ndxp-har-'));
    try {
      expect(() => readHarFile(join(dir, 'none.har'))).toThrow(/cannot read .*none.har: no such file/);
      expect(() => readHarFile(dir)).toThrow(/it is a directory/);
      writeFileSync(join(dir, 'bad.har'), '{"log":1}');
      expect(() => readHarFile(join(dir, 'bad.har'))).toThrow(/bad.har: not a HAR document/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
