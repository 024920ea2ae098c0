import { Capture, entryOf } from './capture';
import { buildHar, Har, queryStringOf } from './har';
import { JournalEntry } from './journal';
import { journalFilterOf } from './journal.controller';

const capture = (o: Partial<Capture> = {}): Capture => ({
  startedAt: Date.parse('2026-11-23T03:00:00Z'),
  bodyReadMs: 1.5,
  answeredMs: 12.25,
  method: 'POST',
  origin: 'http://127.0.0.1:3003',
  url: '/r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup/001030000483?fullName=An&x=1',
  httpVersion: '1.1',
  rawHeaders: ['Host', '127.0.0.1:3003', 'X-API-Key', 'ndxp_secret_key_123', 'Content-Type', 'application/json', 'X-Road-UserId', 'VN001200000483'],
  body: Buffer.from(JSON.stringify({ personalId: '001200000483', purpose: 'hồ sơ' })),
  status: 200,
  responseHeaders: { 'content-type': 'application/json', 'x-road-id': 'id-1', 'x-road-transaction-id': 'tx-1' },
  responseBody: Buffer.from(JSON.stringify({ fullName: 'Nguyễn Văn An', personalId: '001030000483' })),
  replayed: false,
  ...o,
});
const who = { client: 'VN/GOV/000.00.00.H26/MOTCUA', service: 'VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup', xRoadId: 'id-1', owner: 'VN/GOV/000.00.00.H26/MOTCUA' };
const entry = (c: Capture, mode: 'masked' | 'clear' | 'off' = 'masked'): JournalEntry => ({ ...entryOf(c, who, mode), seq: 1 });

const nameValues = (v: unknown) => Array.isArray(v) && v.every((p) => typeof p.name === 'string' && typeof p.value === 'string');

/** The HAR 1.2 spec's required fields, checked structurally. */
function expectHar12(har: Har) {
  const doc = JSON.parse(JSON.stringify(har)) as Har; // as a client gets it
  expect(doc.log.version).toBe('1.2');
  expect(doc.log.creator).toEqual(expect.objectContaining({ name: expect.any(String), version: expect.any(String) }));
  expect(Array.isArray(doc.log.entries)).toBe(true);
  for (const e of doc.log.entries) {
    expect(new Date(e.startedDateTime).toISOString()).toBe(e.startedDateTime);
    expect(typeof e.time).toBe('number');
    const r = e.request;
    expect(typeof r.method).toBe('string');
    expect(() => new URL(r.url)).not.toThrow();
    expect(r.httpVersion).toMatch(/^HTTP\/\d/);
    for (const k of ['cookies', 'headers', 'queryString'] as const) expect(nameValues(r[k])).toBe(true);
    expect(typeof r.headersSize).toBe('number');
    expect(typeof r.bodySize).toBe('number');
    if (r.postData) expect(r.postData).toEqual(expect.objectContaining({ mimeType: expect.any(String), text: expect.any(String) }));
    const s = e.response;
    expect(typeof s.status).toBe('number');
    expect(typeof s.statusText).toBe('string');
    expect(typeof s.httpVersion).toBe('string');
    expect(nameValues(s.cookies) && nameValues(s.headers)).toBe(true);
    expect(typeof s.content.size).toBe('number');
    expect(typeof s.content.mimeType).toBe('string');
    expect(typeof s.redirectURL).toBe('string');
    expect(typeof s.headersSize).toBe('number');
    expect(typeof s.bodySize).toBe('number');
    expect(e.cache).toEqual({});
    for (const k of ['send', 'wait', 'receive'] as const) expect(e.timings[k]).toBeGreaterThanOrEqual(0);
    for (const k of Object.keys(e).filter((k) => !['startedDateTime', 'time', 'request', 'response', 'cache', 'timings'].includes(k))) expect(k).toMatch(/^_|^comment$/);
  }
}

describe('HAR 1.2 export', () => {
  it('writes the required fields of the spec, X-Road fields under _xRoad and the drops under log._dropped', () => {
    const har = buildHar([entry(capture()), entry(capture({ method: 'GET', body: undefined }))], { version: '0.1.0', dropped: 7, bodies: 'masked' });
    expectHar12(har);
    expect(har.log.creator.name).toBe('ndxp-emulator');
    expect(har.log._dropped).toBe(7);
    const [post, get] = har.log.entries;
    expect(post.startedDateTime).toBe('2026-11-23T03:00:00.000Z');
    expect(post.time).toBe(12.25);
    expect(post.timings).toMatchObject({ send: 1.5, wait: 10.75, receive: 0 });
    expect(post.response).toMatchObject({ status: 200, statusText: 'OK', content: { mimeType: 'application/json' } });
    expect(post._xRoad).toMatchObject({ transactionId: 'tx-1', client: who.client, service: who.service, xRoadId: 'id-1', outcome: 'answered' });
    expect(get.request.postData).toBeUndefined();
    expect(get.request.bodySize).toBe(-1);
  });

  it('masks at capture: URL, request and answer bodies, personal headers; the credential always', () => {
    const e = entry(capture());
    expect(e.request.url).toBe('http://127.0.0.1:3003/r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup/*********483?fullName=****&x=1');
    expect(JSON.parse(e.request.body!.text!)).toEqual({ personalId: '*********483', purpose: 'hồ sơ' });
    expect(JSON.parse(e.response.body.text!)).toEqual({ fullName: '********** An', personalId: '*********483' });
    expect(e.response.body.size).toBe(capture().responseBody.length);
    expect(e.request.headers).toContainEqual(['X-API-Key', '****************123']);
    expect(e.request.headers).toContainEqual(['X-Road-UserId', '***********483']);
    const clear = entry(capture(), 'clear');
    expect(clear.request.url).toContain('/001030000483?fullName=An&x=1');
    expect(JSON.parse(clear.response.body.text!)).toMatchObject({ fullName: 'Nguyễn Văn An' });
    expect(clear.request.headers).toContainEqual(['X-API-Key', '****************123']);
    const off = entry(capture(), 'off');
    expect(off.response.body.text).toBeUndefined();
    expect(off.response.body.size).toBe(capture().responseBody.length);
    expectHar12(buildHar([off], { version: '0', dropped: 0, bodies: 'off' }));
  });

  it('a platform fault is outcome fault with its code; bytes that are not text are base64 only when clear', () => {
    const f = entry(capture({ status: 500, responseHeaders: { 'X-Road-Error': 'Server.ClientProxy.SslAuthenticationFailed', 'content-type': 'application/json' } }));
    expect(f).toMatchObject({ outcome: 'fault', faultCode: 'Server.ClientProxy.SslAuthenticationFailed' });
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x01]);
    expect(entry(capture({ responseBody: bytes })).response.body).toMatchObject({ size: 4, comment: expect.stringContaining('not text') });
    expect(entry(capture({ responseBody: bytes })).response.body).not.toHaveProperty('text');
    const clear = entry(capture({ responseBody: bytes }), 'clear');
    expect(clear.response.body).toMatchObject({ size: 4, text: bytes.toString('base64'), encoding: 'base64' });
    const har = buildHar([clear], { version: '0', dropped: 0, bodies: 'clear' });
    expectHar12(har);
    expect(har.log.entries[0].response.content.encoding).toBe('base64');
  });

  it('decodes the query string as name/value pairs, keeping a malformed escape as sent', () => {
    expect(queryStringOf('http://h/p?a=1&b=x%20y&c&d=%zz&e=a+b')).toEqual([
      { name: 'a', value: '1' },
      { name: 'b', value: 'x y' },
      { name: 'c', value: '' },
      { name: 'd', value: '%zz' },
      { name: 'e', value: 'a b' },
    ]);
  });
});

describe('journal query', () => {
  it('reads the filters, from and to as ISO 8601 or epoch ms', () => {
    expect(
      journalFilterOf({ client: 'c', service: 's', lgsp: '000.00.00.H26', xRoadId: 'x', outcome: 'fault', from: '2026-11-23T00:00:00+07:00', to: '1700000000000', limit: '5' }),
    ).toEqual({
      client: 'c',
      service: 's',
      lgsp: '000.00.00.H26',
      xRoadId: 'x',
      outcome: 'fault',
      from: Date.parse('2026-11-22T17:00:00Z'),
      to: 1_700_000_000_000,
      limit: 5,
    });
  });

  it.each([{ from: 'yesterday' }, { limit: '0' }, { limit: '-1' }, { limit: '1000001' }, { client: ['a', 'b'] }])('refuses %j with 400', (q) => {
    expect(journalFilterOf(q)).toMatchObject({ statusCode: 400, code: 'INVALID_QUERY' });
  });
});
