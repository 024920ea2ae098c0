import { apiKeyOf, parseBody, parseCall, requestHash } from './xroad-protocol';

const client = 'VN/GOV/000.00.00.H26/MOTCUA';

describe('X-Road request parsing', () => {
  it('reads the REST form', () => {
    const r = parseCall('/r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup/001095012345?x=1', {
      'x-road-client': client,
      'x-road-id': 'abc-1',
      'x-road-userid': 'VN12345',
    });
    expect(r).toMatchObject({
      ok: true,
      call: {
        client: { memberCode: '000.00.00.H26', subsystemCode: 'MOTCUA' },
        service: { memberCode: '000.00.00.G01', subsystemCode: 'CSDLQGDC', serviceCode: 'citizen-lookup' },
        path: '001095012345',
        query: { x: '1' },
        xRoadId: 'abc-1',
        userId: 'VN12345',
        form: 'rest',
      },
    });
  });

  it('reads the Vietnamese adapter form', () => {
    const r = parseCall('/XrdAdapter/RestService/forward/enterprise-lookup/0100233488?dstcode=VN:GOV:000.00.00.G05:CSDLQGDKDN&providerurl=http://x', {
      'x-road-client': client,
    });
    expect(r).toMatchObject({ ok: true, call: { service: { memberCode: '000.00.00.G05', serviceCode: 'enterprise-lookup' }, path: '0100233488', query: {}, form: 'adapter' } });
  });

  it.each([
    ['/r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup/1', {}, 'Client.MissingHeader', /X-Road-Client/],
    ['/r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup/1', { 'x-road-client': 'VN/GOV/H26/MOTCUA' }, 'Client.BadRequest', /X-Road-Client: member code/],
    ['/r1/VN/GOV/000.00.00.G01/CSDLQGDC', { 'x-road-client': client }, 'Client.BadRequest', /path must be/],
    ['/r1/VN/XXX/000.00.00.G01/CSDLQGDC/svc', { 'x-road-client': client }, 'Client.BadRequest', /member class/],
    ['/XrdAdapter/RestService/forward/svc', { 'x-road-client': client }, 'Client.BadRequest', /dstcode/],
    ['/somewhere', { 'x-road-client': client }, 'Client.BadRequest', /unknown path/],
    ['/r1/VN/GOV/000.00.00.G01/CSDLQGDC/svc', { 'x-road-client': client, 'x-road-id': 'has space' }, 'Client.BadRequest', /X-Road-Id/],
  ])('%s %j → %s', (url, headers, type, message) => {
    const r = parseCall(url, headers as Record<string, string>);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.fault.type).toBe(type);
      expect(r.fault.status).toBe(400);
      expect(r.fault.message).toMatch(message);
    }
  });

  it('takes the API key from X-API-Key or a bearer token', () => {
    expect(apiKeyOf({ 'x-api-key': 'k1' })).toBe('k1');
    expect(apiKeyOf({ authorization: 'Bearer k2' })).toBe('k2');
    expect(apiKeyOf({})).toBeUndefined();
  });

  it('hashes the request: different bodies, different hashes', () => {
    expect(requestHash('POST', '/a', Buffer.from('{}'))).not.toBe(requestHash('POST', '/a', Buffer.from('{"a":1}')));
    expect(requestHash('GET', '/a', Buffer.alloc(0))).toHaveLength(88);
  });
});

describe('a NUL character anywhere in a request', () => {
  const lookup = '/r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup';
  const refused = (url: string, headers: Record<string, string> = { 'x-road-client': client }) => {
    const r = parseCall(url, headers);
    if (r.ok) throw new Error(`${url} was accepted`);
    return r;
  };

  it.each([
    ['the path after the service', `${lookup}/0010%0095012345`, /the path holds a NUL character/],
    ['the service code', '/r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizen%00-lookup/1', /the path holds a NUL character/],
    ['a query value', `${lookup}/1?q=a%00b`, /query parameter "q" holds a NUL character/],
    ['a query name', `${lookup}/1?a%00=1`, /query parameter "a\\u0000" holds a NUL character/],
    ['dstcode of the adapter form', '/XrdAdapter/RestService/forward/citizen-lookup/1?dstcode=VN:GOV:000.00.00.G01:CSDLQGDC%00', /query parameter "dstcode"/],
  ])('given a NUL in %s, when parsed, then Client.BadRequest 400 naming where, and nothing recorded holds a NUL', (_where, url, message) => {
    const r = refused(url);
    expect(r.fault).toMatchObject({ type: 'Client.BadRequest', status: 400, message: expect.stringMatching(message) });
    expect(`${r.fault.message}${r.clientText}${r.serviceText}`).not.toContain('\u0000');
  });

  it.each([
    ['x-road-userid', { 'x-road-client': client, 'x-road-userid': 'VN\u00001' }],
    ['x-road-client', { 'x-road-client': `${client}\u0000` }],
    ['x-custom', { 'x-road-client': client, 'x-custom': ['ok', 'a\u0000'] }],
  ])('given a NUL in header %s, when parsed, then Client.BadRequest 400 naming the header', (name, headers) => {
    const r = refused(`${lookup}/1`, headers as Record<string, string>);
    expect(r.fault).toMatchObject({ type: 'Client.BadRequest', status: 400, message: expect.stringContaining(`header ${name} holds a NUL character`) });
    expect(r.clientText).not.toContain('\u0000');
  });

  it('given an escaped percent sign (%2500), when parsed, then it is no NUL and the call is read', () => {
    expect(parseCall(`${lookup}/a%2500?q=%2500`, { 'x-road-client': client })).toMatchObject({ ok: true, call: { path: 'a%00', query: { q: '%00' } } });
  });
});

describe('request bodies', () => {
  const json = 'application/json';

  it('given no body, when read, then undefined; given JSON, then the value; given text, then the text', () => {
    expect(parseBody(Buffer.alloc(0), json)).toEqual({ ok: true, body: undefined });
    expect(parseBody(Buffer.from('{"a":[1,"x"]}'), json)).toEqual({ ok: true, body: { a: [1, 'x'] } });
    expect(parseBody(Buffer.from('plain'), 'text/plain')).toEqual({ ok: true, body: 'plain' });
  });

  it('given malformed JSON, when read, then Client.BadRequest: not valid JSON', () => {
    expect(parseBody(Buffer.from('{"a": '), json)).toMatchObject({
      ok: false,
      fault: { type: 'Client.BadRequest', status: 400, message: expect.stringMatching(/not valid JSON/) },
    });
  });

  it.each([
    ['a JSON string value', '{"personalId":"001095012345\\u0000","x":1}', json, /NUL character \(\\u0000\) at \$\.personalId/],
    ['a nested value', '{"a":[{"b":"ok"},{"b":"\\u0000"}]}', json, /at \$\.a\[1\]\.b/],
    ['a key', '{"a\\u0000b":1}', json, /at \$\["a\\u0000b"\]/],
    ['a raw byte of malformed JSON', '{"a":\u0000}', json, /NUL byte at offset 5/],
    ['a raw byte of a text body', 'ab\u0000', 'text/plain', /NUL byte at offset 2/],
  ])('given a NUL in %s, when read, then Client.BadRequest 400 naming where, and the message holds no NUL', (_where, raw, type, message) => {
    const r = parseBody(Buffer.from(raw), type);
    expect(r).toMatchObject({ ok: false, fault: { type: 'Client.BadRequest', status: 400, message: expect.stringMatching(message) } });
    if (!r.ok) expect(r.fault.message).not.toContain('\u0000');
  });

  it('given JSON nested far deeper than a call stack, when read, then it is checked without overflowing', () => {
    const deep = `${'['.repeat(200_000)}"\\u0000"${']'.repeat(200_000)}`;
    expect(parseBody(Buffer.from(deep), json)).toMatchObject({ ok: false, fault: { status: 400 } });
  });
});
