import { emptyRegistryView, evolveRegistryView, openApiFor, RegistryEvent, RegistryViewState } from '@ndxp/contracts';
import { allowedMethods, getOpenApi, listClients, listMethods } from './metaservices';

const client = 'VN/GOV/000.00.00.H26/MOTCUA';
const population = 'VN/GOV/000.00.00.G01/CSDLQGDC';
const enterprise = 'VN/GOV/000.00.00.G05/CSDLQGDKDN';
const agency = (code102: string, nameVi: string): RegistryEvent => ({
  type: 'AgencyRegistered',
  code102,
  nameVi,
  nameEn: nameVi,
  level: 1,
  category: 'ministry',
  codeConfirmed: true,
  hasLgsp: true,
});
const service = (provider: string, serviceCode: string, method = 'GET'): RegistryEvent => ({
  type: 'ServiceRegistered',
  service: `${provider}/${serviceCode}`,
  provider,
  serviceCode,
  version: 'v1',
  method,
  database: 'population',
  description: '',
});
const base: RegistryEvent[] = [
  agency('000.00.00.H26', 'UBND thành phố Hà Nội'),
  agency('000.00.00.G01', 'Bộ Công an'),
  { type: 'SubsystemRegistered', subsystem: client, agency: '000.00.00.H26', name: 'one-stop shop', role: 'client' },
  { type: 'SubsystemRegistered', subsystem: population, agency: '000.00.00.G01', name: 'population', role: 'provider' },
  // a provider whose agency is not registered (G05): still listed, as a member without a name
  { type: 'SubsystemRegistered', subsystem: enterprise, agency: '000.00.00.G05', name: 'enterprise', role: 'provider' },
  service(population, 'citizen-lookup'),
  service(population, 'citizen-verify', 'POST'),
  service(enterprise, 'enterprise-lookup'),
];
const fold = (events: RegistryEvent[]): RegistryViewState => events.reduce((s, e, i) => evolveRegistryView(s, e, i + 1), emptyRegistryView());

const details = (provider: string, serviceCode: string, endpoint: { method: string; path: string }, serviceType = 'OPENAPI') => {
  const [xroad_instance, member_class, member_code, subsystem_code] = provider.split('/');
  return { member_class, member_code, object_type: 'SERVICE', service_code: serviceCode, service_type: serviceType, subsystem_code, xroad_instance, endpoint_list: [endpoint] };
};

describe('listClients (PR-META §2, Annex C.1)', () => {
  const state = fold(base);

  it('lists every member, then its subsystems, in the JSON form', () => {
    // Given a registry with three agencies' subsystems, two of them registered agencies
    // When listClients is asked for JSON
    const answer = listClients(state, 'VN', false);
    // Then members and subsystems come with their id objects, members named after the agency
    expect(answer).toEqual({
      status: 200,
      contentType: 'application/json; charset=utf-8',
      body: {
        member: [
          { id: { member_class: 'GOV', member_code: '000.00.00.G01', object_type: 'MEMBER', xroad_instance: 'VN' }, name: 'Bộ Công an' },
          { id: { member_class: 'GOV', member_code: '000.00.00.G01', subsystem_code: 'CSDLQGDC', object_type: 'SUBSYSTEM', xroad_instance: 'VN' }, name: 'Bộ Công an' },
          { id: { member_class: 'GOV', member_code: '000.00.00.G05', object_type: 'MEMBER', xroad_instance: 'VN' } },
          { id: { member_class: 'GOV', member_code: '000.00.00.G05', subsystem_code: 'CSDLQGDKDN', object_type: 'SUBSYSTEM', xroad_instance: 'VN' } },
          { id: { member_class: 'GOV', member_code: '000.00.00.H26', object_type: 'MEMBER', xroad_instance: 'VN' }, name: 'UBND thành phố Hà Nội' },
          { id: { member_class: 'GOV', member_code: '000.00.00.H26', subsystem_code: 'MOTCUA', object_type: 'SUBSYSTEM', xroad_instance: 'VN' }, name: 'UBND thành phố Hà Nội' },
        ],
      },
    });
  });

  it('answers the XML clientList otherwise, in the namespaces of the reference', () => {
    const answer = listClients(fold([agency('000.00.00.G01', 'Bộ Công an'), base[3]]), 'VN', true);
    expect(answer.contentType).toBe('text/xml; charset=UTF-8');
    expect(answer.body).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
        '<ns2:clientList xmlns:ns1="http://x-road.eu/xsd/identifiers" xmlns:ns2="http://x-road.eu/xsd/xroad.xsd">',
        '    <ns2:member>',
        '        <ns2:id ns1:objectType="MEMBER">',
        '            <ns1:xRoadInstance>VN</ns1:xRoadInstance>',
        '            <ns1:memberClass>GOV</ns1:memberClass>',
        '            <ns1:memberCode>000.00.00.G01</ns1:memberCode>',
        '        </ns2:id>',
        '        <ns2:name>Bộ Công an</ns2:name>',
        '    </ns2:member>',
        '    <ns2:member>',
        '        <ns2:id ns1:objectType="SUBSYSTEM">',
        '            <ns1:xRoadInstance>VN</ns1:xRoadInstance>',
        '            <ns1:memberClass>GOV</ns1:memberClass>',
        '            <ns1:memberCode>000.00.00.G01</ns1:memberCode>',
        '            <ns1:subsystemCode>CSDLQGDC</ns1:subsystemCode>',
        '        </ns2:id>',
        '        <ns2:name>Bộ Công an</ns2:name>',
        '    </ns2:member>',
        '</ns2:clientList>',
        '',
      ].join('\n'),
    );
  });

  it('escapes names in XML', () => {
    const answer = listClients(fold([agency('000.00.00.G99', 'Sở <Tài chính> & "Kế hoạch"')]), 'VN', true);
    expect(answer.body).toContain('<ns2:name>Sở &lt;Tài chính&gt; &amp; &quot;Kế hoạch&quot;</ns2:name>');
  });

  it('has no clients for another instance', () => {
    expect(listClients(state, 'FI', false).body).toEqual({ member: [] });
    expect(listClients(state, 'FI', true).body).toMatch(/<ns2:clientList [^>]*>\n<\/ns2:clientList>/);
  });
});

describe('listMethods (PR-MREST §4, Annex B.1)', () => {
  it("lists the provider's REST services with their endpoints", () => {
    // Given a provider with two services
    // When listMethods is asked
    const answer = listMethods(fold(base), population);
    // Then both come, in the snake-case JSON of the reference, typed OPENAPI (each has a description)
    expect(answer).toEqual({
      status: 200,
      contentType: 'application/json',
      body: {
        service: [details(population, 'citizen-lookup', { method: 'GET', path: '/*' }), details(population, 'citizen-verify', { method: 'POST', path: '/' })],
      },
    });
  });

  it('types a service without an OpenAPI description REST, its endpoint from its method', () => {
    const answer = listMethods(fold([...base, service(enterprise, 'annual-report', 'POST')]), enterprise);
    expect((answer.body as any).service).toEqual([
      details(enterprise, 'annual-report', { method: 'POST', path: '/' }, 'REST'),
      details(enterprise, 'enterprise-lookup', { method: 'GET', path: '/*' }),
    ]);
  });

  it('never lists the metaservices', () => {
    const answer = listMethods(fold([...base, service(population, 'listMethods'), service(population, 'getOpenAPI')]), population);
    expect((answer.body as any).service.map((s: any) => s.service_code)).toEqual(['citizen-lookup', 'citizen-verify']);
  });

  it('refuses an unregistered provider with UnknownMember', () => {
    const answer = listMethods(fold(base), 'VN/GOV/000.00.00.G24/CSDLQGBH');
    expect(answer).toMatchObject({ status: 500, fault: { code: 'UnknownMember', type: 'Server.ClientProxy.UnknownMember', status: 500 } });
    expect(answer.body).toEqual({ type: 'Server.ClientProxy.UnknownMember', message: expect.stringContaining('CSDLQGBH') });
  });

  it('answers XML when asked, XRoadRestServiceDetailsType of service-metainfo.xsd', () => {
    const answer = listMethods(fold(base), population, true);
    expect(answer.contentType).toBe('text/xml; charset=UTF-8');
    expect(answer.body).toContain(
      [
        '    <ns2:service ns1:objectType="SERVICE" ns2:serviceType="OPENAPI">',
        '        <ns1:xRoadInstance>VN</ns1:xRoadInstance>',
        '        <ns1:memberClass>GOV</ns1:memberClass>',
        '        <ns1:memberCode>000.00.00.G01</ns1:memberCode>',
        '        <ns1:subsystemCode>CSDLQGDC</ns1:subsystemCode>',
        '        <ns1:serviceCode>citizen-lookup</ns1:serviceCode>',
        '        <ns2:endpointList>',
        '            <ns2:method>GET</ns2:method>',
        '            <ns2:path>/*</ns2:path>',
        '        </ns2:endpointList>',
        '    </ns2:service>',
      ].join('\n'),
    );
    expect(answer.body).toMatch(/^<\?xml [^\n]*\n<ns2:listMethodsResponse xmlns:ns1="http:\/\/x-road.eu\/xsd\/identifiers" xmlns:ns2="http:\/\/x-road.eu\/xsd\/xroad.xsd">/);
    expect(answer.body).toMatch(/<\/ns2:listMethodsResponse>\n$/);
  });
});

describe('allowedMethods (PR-MREST §4, Annex B.2)', () => {
  const grant: RegistryEvent = { type: 'AccessGranted', client, service: `${population}/citizen-lookup` };

  it('lists only the services the client holds a right to', () => {
    // Given a client granted citizen-lookup but not citizen-verify
    const state = fold([...base, grant]);
    // When it asks allowedMethods of the population provider
    const answer = allowedMethods(state, client, population);
    // Then only citizen-lookup comes
    expect(answer).toEqual({ status: 200, contentType: 'application/json', body: { service: [details(population, 'citizen-lookup', { method: 'GET', path: '/*' })] } });
  });

  it('lists nothing after the right is revoked, nor for a client with no rights or unknown to the registry', () => {
    expect(allowedMethods(fold([...base, grant, { type: 'AccessRevoked', client, service: grant.service }]), client, population).body).toEqual({ service: [] });
    expect(allowedMethods(fold([...base, grant]), client, enterprise).body).toEqual({ service: [] });
    expect(allowedMethods(fold([...base, grant]), 'VN/GOV/000.00.00.H29/MOTCUA', population).body).toEqual({ service: [] });
  });

  it('refuses an unregistered provider with UnknownMember', () => {
    expect(allowedMethods(fold(base), client, 'VN/GOV/000.00.00.G24/CSDLQGBH').fault?.code).toBe('UnknownMember');
  });

  it('answers XML when asked', () => {
    const body = allowedMethods(fold([...base, grant]), client, population, true).body as string;
    expect(body).toContain('<ns2:allowedMethodsResponse ');
    expect(body.match(/<ns2:service /g)).toHaveLength(1);
  });
});

describe('getOpenAPI (PR-MREST §5)', () => {
  it("answers the service's OpenAPI document in JSON", () => {
    expect(getOpenApi('citizen-lookup', population)).toEqual({ status: 200, contentType: 'application/json', body: openApiFor('citizen-lookup') });
  });

  it.each([[undefined], ['']])('refuses a missing serviceCode (%j) with InvalidRequest', (code) => {
    const answer = getOpenApi(code, population);
    expect(answer).toMatchObject({ status: 500, fault: { code: 'InvalidRequest', type: 'Server.ServerProxy.InvalidRequest', status: 500 } });
    expect((answer.body as any).message).toMatch(/Missing serviceCode/);
  });

  it.each([
    ['a code no provider offers', 'citizen-delete', population],
    ["another provider's service", 'enterprise-lookup', population],
    ['a metaservice', 'listMethods', population],
    ['an unknown provider', 'citizen-lookup', 'VN/GOV/000.00.00.G01/OTHER'],
  ])('refuses %s with UnknownService', (_why, code, provider) => {
    expect(getOpenApi(code, provider)).toMatchObject({ status: 500, fault: { code: 'UnknownService', type: 'Server.ServerProxy.InternalError' } });
  });
});
