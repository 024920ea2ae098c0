import { createHash } from 'crypto';
import { faultCodeInStyle, FaultTypes, isCallersFault, outcomeOfAnswer, statusOfFaultCode } from '@ndxp/contracts';
import {
  apiKeyOf,
  DistinctHeaders,
  encodeXRoadId,
  errorMediaType,
  faultBody,
  forwardedHeaderLines,
  headerRecord,
  parseCall as parse,
  requestHash,
  responseHeaders,
  securityServerProblem,
  uriProblem,
} from './xroad-protocol';

const parseCall = (url: string, headers: DistinctHeaders) => parse('GET', url, headers);

const client = 'VN/GOV/000.00.00.H26/MOTCUA';
const lookup = '/r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup';
const h = (o: Record<string, string | string[]>): DistinctHeaders => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, [v].flat()]));

function refused(url: string, headers: DistinctHeaders = h({ 'x-road-client': client })) {
  const r = parseCall(url, headers);
  if (r.ok) throw new Error(`${url} was accepted`);
  return r;
}

describe('X-Road request parsing', () => {
  it('given the REST form, when parsed, then the five identifier parts are decoded and the service path and query are kept as sent', () => {
    const r = parseCall(`${lookup}/a%2Fb/?x=1&y=%20`, h({ 'x-road-client': client, 'x-road-id': 'abc 1', 'x-road-userid': 'VN12345' }));
    expect(r).toMatchObject({
      ok: true,
      call: {
        client: { memberCode: '000.00.00.H26', subsystemCode: 'MOTCUA' },
        service: { memberCode: '000.00.00.G01', subsystemCode: 'CSDLQGDC', serviceCode: 'citizen-lookup' },
        path: '/a%2Fb/',
        rawQuery: 'x=1&y=%20',
        xRoadId: 'abc 1',
        userId: 'VN12345',
        form: 'rest',
      },
    });
  });

  it('given percent-encoded identifier parts, when parsed, then each part is decoded once', () => {
    const r = parseCall('/r1/VN/GOV/000%2E00%2E00%2EG01/CSDLQGDC/citizen-lookup', h({ 'x-road-client': 'VN/GOV/000%2E00.00.H26/MOTCUA' }));
    expect(r).toMatchObject({ ok: true, call: { client: { memberCode: '000.00.00.H26' }, service: { memberCode: '000.00.00.G01' }, path: '' } });
  });

  it('given several X-Road-Client headers, when parsed, then the last one is used (RestRequest)', () => {
    const r = parseCall(`${lookup}/1`, h({ 'x-road-client': ['VN/GOV/000.00.00.H29/MOTCUA', client] }));
    expect(r).toMatchObject({ ok: true, call: { client: { memberCode: '000.00.00.H26' } } });
  });

  it('given a member-level X-Road-Client (3 parts), when parsed, then it is accepted without a subsystem', () => {
    const r = parseCall(`${lookup}/1`, h({ 'x-road-client': 'VN/GOV/000.00.00.H26' }));
    expect(r.ok && r.call.client).toEqual({ instance: 'VN', memberClass: 'GOV', memberCode: '000.00.00.H26' });
  });

  it('given the Vietnamese adapter form, when parsed, then dstcode names the provider and the adapter parameters are taken out of the query', () => {
    const r = parseCall('/XrdAdapter/RestService/forward/enterprise-lookup/0100233488?a=1&dstcode=VN:GOV:000.00.00.G05:CSDLQGDKDN&providerurl=http://x&b=2', h({}));
    expect(r).toMatchObject({
      ok: true,
      call: { service: { memberCode: '000.00.00.G05', serviceCode: 'enterprise-lookup' }, path: '/0100233488', rawQuery: 'a=1&b=2', form: 'adapter' },
    });
    expect(r.ok && r.call.client).toBeUndefined();
  });

  it('given a metaservice path, when parsed, then the call names the metaservice', () => {
    expect(parseCall('/r1/VN/GOV/000.00.00.G01/CSDLQGDC/listMethods', h({ 'x-road-client': client }))).toMatchObject({ ok: true, call: { metaservice: 'listMethods' } });
    expect(parseCall('/r1/VN/GOV/000.00.00.G01/CSDLQGDC/getOpenAPI?serviceCode=x', h({ 'x-road-client': client }))).toMatchObject({
      ok: true,
      call: { metaservice: 'getOpenAPI' },
    });
  });

  it.each([
    [`${lookup}/1`, {}, FaultTypes.invalidClientIdentifier, /The client identifier is missing/],
    [`${lookup}/1`, { 'x-road-client': 'VN/GOV/H26/MOTCUA' }, FaultTypes.malformedRequest, /X-Road-Client: member code/],
    [`${lookup}/1`, { 'x-road-client': 'VN/GOV/000.00.00.H26/MOTCUA/x' }, FaultTypes.malformedRequest, /got 5/],
    [`${lookup}/1`, { 'x-road-client': 'VN/GOV/%zz/MOTCUA' }, FaultTypes.malformedRequest, /Invalid percent encoding/],
    [`${lookup}/1`, { 'x-road-client': client, 'x-road-security-server': 'VN/GOV/SS1' }, FaultTypes.malformedRequest, /Invalid SecurityServer Id/],
    [`${lookup}/1`, { 'x-road-represented-party': 'a/b/c' }, FaultTypes.malformedRequest, /Invalid RepresentedParty Id/],
    ['/r1/VN/GOV/000.00.00.G01/CSDLQGDC', { 'x-road-client': client }, FaultTypes.malformedRequest, /path must be/],
    ['/r1/VN/XXX/000.00.00.G01/CSDLQGDC/svc', { 'x-road-client': client }, FaultTypes.malformedRequest, /member class/],
    ['/XrdAdapter/RestService/forward/svc', { 'x-road-client': client }, FaultTypes.malformedRequest, /dstcode/],
    ['/somewhere', { 'x-road-client': client }, FaultTypes.malformedRequest, /unknown path/],
    [`${lookup}/1`, { 'x-road-client': client, 'x-road-represented-party': 'GOV/x/y' }, FaultTypes.malformedRequest, /Invalid RepresentedParty Id/],
  ])('given %s with %j, when parsed, then %s', (url, headers, type, message) => {
    const r = refused(url, h(headers as Record<string, string>));
    expect(r.fault).toMatchObject({ type, status: 500, message: expect.stringMatching(message) });
  });
});

describe('strict URIs (PR-REST §4.2): refused, never normalised', () => {
  it.each([
    ['a dot-dot segment', '/r1/VN/GOV/000.00.00.G05/CSDLQGDKDN/enterprise-lookup/../../../000.00.00.G01/CSDLQGDC/citizen-lookup/1', /dot segment "\.\."/],
    ['an encoded dot-dot segment', `${lookup}/%2e%2E/x`, /dot segment "%2e%2E"/],
    ['a dot segment', '/r1/VN/GOV/./000.00.00.G01/CSDLQGDC/citizen-lookup', /dot segment "\."/],
    ['an empty segment', '/r1/VN/GOV//000.00.00.G01/CSDLQGDC/citizen-lookup', /empty segment/],
    ['a malformed escape', `${lookup}/%zz`, /malformed percent-escape at offset/],
    ['a truncated escape', `${lookup}/1%2`, /malformed percent-escape/],
    ['a NUL', `${lookup}/0010%0095012345`, /NUL character/],
    ['an escape that is not UTF-8', `${lookup}/%E0%A4`, /does not decode to UTF-8/],
  ])('given %s, when parsed, then InvalidRequest naming it, and nothing recorded holds a NUL', (_what, url, message) => {
    const r = refused(url);
    expect(r.fault).toMatchObject({ type: FaultTypes.malformedRequest, message: expect.stringMatching(message) });
    expect(`${r.fault.message}${r.clientText}${r.serviceText}`).not.toContain('\u0000');
  });

  it('given a trailing slash or an escaped percent sign, when checked, then the path is fine (it is the provider’s to read)', () => {
    expect(uriProblem(`${lookup}/1/`)).toBeUndefined();
    expect(uriProblem(`${lookup}/a%2500`)).toBeUndefined();
    expect(parseCall(`${lookup}/a%2500?q=%00`, h({ 'x-road-client': client }))).toMatchObject({ ok: true, call: { path: '/a%2500', rawQuery: 'q=%00' } });
  });

  it('given a NUL in a header the ledger records, when parsed, then refused naming the header', () => {
    const r = refused(`${lookup}/1`, h({ 'x-road-client': client, 'x-road-userid': 'VN\u00001' }));
    expect(r.fault.message).toContain('header x-road-userid holds a NUL character');
    expect(r.clientText).not.toContain('\u0000');
  });
});

describe('a transparent gateway', () => {
  it('given request headers, when forwarded, then end-to-end ones (Authorization, JWTs, user-defined) pass in order and as named; skipped ones and the LGSP key do not', () => {
    const raw = [
      'Authorization',
      'Bearer eyJhbGciOi.x.y',
      'Content-Type',
      'application/xml',
      'X-Trace',
      'a',
      'Connection',
      'keep-alive',
      'Keep-Alive',
      'timeout=5',
      'Host',
      'lgsp',
      'User-Agent',
      'curl',
      'Content-Length',
      '3',
      'Expect',
      '100-continue',
      'X-API-Key',
      'the LGSP credential',
      'x-trace',
      'b',
      'X-Road-Request-Id',
      'forged',
    ];
    const lines = forwardedHeaderLines(raw);
    expect(lines).toEqual([
      ['Authorization', 'Bearer eyJhbGciOi.x.y'],
      ['Content-Type', 'application/xml'],
      ['X-Trace', 'a'],
      ['x-trace', 'b'],
    ]);
    expect(headerRecord(lines)).toEqual({ authorization: 'Bearer eyJhbGciOi.x.y', 'content-type': 'application/xml', 'x-trace': 'a, b' });
  });

  it('given provider response headers, when returned, then all pass but the skipped ones and the X-Road ones the platform sets (RestResponse)', () => {
    expect(responseHeaders({ 'content-type': 'text/csv', etag: '"1"', connection: 'close', 'content-length': '9', 'x-road-id': 'forged', 'X-Road-Error': 'x' })).toEqual({
      'content-type': 'text/csv',
      etag: '"1"',
      'X-Road-Error': 'x',
    });
  });

  it('given an identifier, when echoed, then each part is escaped as a path segment (RestMessage.encodeXRoadId)', () => {
    expect(encodeXRoadId(['VN', 'GOV', '000.00.00.H26', 'MOT/CUA', 'a b'])).toBe('VN/GOV/000.00.00.H26/MOT%2FCUA/a%20b');
  });

  it('given X-API-Key or only Authorization, when the LGSP looks for its credential, then it reads X-API-Key only', () => {
    expect(apiKeyOf(h({ 'x-api-key': 'k1' }))).toBe('k1');
    expect(apiKeyOf(h({ authorization: 'Bearer k2' }))).toBeUndefined();
  });

  it('given X-Road-Security-Server, when checked against the provider, then only a server of the provider’s member passes', () => {
    const service = { instance: 'VN', memberClass: 'GOV' as const, memberCode: '000.00.00.G01', subsystemCode: 'CSDLQGDC', serviceCode: 'citizen-lookup' };
    expect(securityServerProblem('VN/GOV/000.00.00.G01/SS1', service)).toBeUndefined();
    expect(securityServerProblem('VN/GOV/000.00.00.G05/SS1', service)).toMatch(/not a server of the provider/);
  });
});

describe('request hash (PR-REST §4.3)', () => {
  it('given the serialisation RestRequest.toByteArray hashes, when computed, then it is SHA-512 of VERB, target and Name:Value lines, in base64', () => {
    const lines: Array<[string, string]> = [
      ['Accept', 'application/json'],
      ['x-road-request-id', 'r1'],
    ];
    const expected = createHash('sha512').update('GET\r\n/r1/VN/x?q=1\r\nAccept:application/json\r\nx-road-request-id:r1\r\n').digest('base64');
    expect(requestHash('GET', '/r1/VN/x?q=1', lines, Buffer.alloc(0))).toBe(expected);
  });

  it('given a body, when hashed, then SHA-512 over the head digest and the body digest', () => {
    const lines: Array<[string, string]> = [['x-road-request-id', 'r1']];
    const head = createHash('sha512').update('POST\r\n/r1/x\r\nx-road-request-id:r1\r\n').digest();
    const body = createHash('sha512').update('{}').digest();
    expect(requestHash('POST', '/r1/x', lines, Buffer.from('{}'))).toBe(createHash('sha512').update(head).update(body).digest('base64'));
    expect(requestHash('POST', '/r1/x', [['x-road-request-id', 'r2']], Buffer.from('{}'))).not.toBe(requestHash('POST', '/r1/x', lines, Buffer.from('{}')));
  });
});

describe('platform faults as a security server sends them', () => {
  it('given a code, when answered, then 500 for Server.* and 400 for the rest, in either style', () => {
    expect(statusOfFaultCode('Server.ServerProxy.AccessDenied')).toBe(500);
    expect(statusOfFaultCode('server.serverproxy.access_denied')).toBe(500);
    expect(statusOfFaultCode('Client.InvalidRequest')).toBe(400);
  });

  it('given the snake style (X-Road 7.8+), when a code is written, then prefixes are lower-cased and names snake-cased', () => {
    expect(faultCodeInStyle(FaultTypes.accessDenied, 'snake')).toBe('server.serverproxy.access_denied');
    expect(faultCodeInStyle(FaultTypes.invalidClientIdentifier, 'snake')).toBe('server.clientproxy.invalid_client_identifier');
    expect(faultCodeInStyle(FaultTypes.accessDenied, 'camel')).toBe('Server.ServerProxy.AccessDenied');
  });

  it('given a fault, when the ledger reads it, then refusals of the request are "rejected" and the rest "failed" or "timeout", in either style', () => {
    expect(isCallersFault(faultCodeInStyle(FaultTypes.accessDenied, 'snake'))).toBe(true);
    expect(outcomeOfAnswer(FaultTypes.unknownService)).toBe('rejected');
    expect(outcomeOfAnswer(FaultTypes.networkError)).toBe('failed');
    expect(outcomeOfAnswer(FaultTypes.ioError, true)).toBe('timeout');
    expect(outcomeOfAnswer(undefined)).toBe('success');
  });

  it('given Accept, when a fault body is written, then the first of text/xml, application/xml or text/* gives XML (q ignored), anything else JSON', () => {
    expect(['application/xml', 'text/xml', 'text/*', 'application/xml; q=0.2', 'text/xml, application/xml, application/json'].map(errorMediaType)).toEqual([
      'application/xml',
      'text/xml',
      'text/xml',
      'application/xml',
      'text/xml',
    ]);
    expect([undefined, 'application/json', '*/*', 'application/*', 'text/xml-patch+xml'].map(errorMediaType)).toEqual(Array(5).fill('application/json'));
    expect(faultBody('T', 'm', 'd', 'application/json')).toEqual({ contentType: 'application/json', body: Buffer.from('{"type":"T","message":"m","detail":"d"}') });
    const xml = faultBody('T', 'a<b', 'd', 'text/xml');
    expect(xml.contentType).toBe('text/xml;charset=utf-8');
    expect(xml.body.toString()).toContain('<error><type>T</type><message>a&lt;b</message><detail>d</detail></error>');
  });
});
