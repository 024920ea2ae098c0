import { apiKeyOf, parseCall, requestHash } from './xroad-protocol';

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
