import SwaggerParser from '@apidevtools/swagger-parser';
import { SERVICES } from './catalogue';
import { formatPersonalId, parseEnterpriseCode, parseInsuranceKey, parsePersonalId, Parsed, PROVINCES } from './identifiers';
import { openApiEndpoints, openApiFor, OpenApiDocument, VERIFIABLE_CITIZEN_FIELDS } from './openapi';
import { checkOpenApiDocument, resolveRef, schemaErrors } from './openapi-check';

type Json = Record<string, any>;

const docOf = (code: string): OpenApiDocument => {
  const doc = openApiFor(code);
  if (!doc) throw new Error(`no document for ${code}`);
  return doc;
};
const operation = (doc: OpenApiDocument): Json => Object.values(doc.paths)[0][Object.keys(Object.values(doc.paths)[0]).find((k) => k !== 'parameters')!] as Json;
const pathParameter = (doc: OpenApiDocument): Json | undefined => (Object.values(doc.paths)[0].parameters as Json[] | undefined)?.[0];

describe('OpenAPI documents of the national services', () => {
  it.each(SERVICES.map((s) => [s.serviceCode, s]))('%s: a well-formed OpenAPI 3.0 document', (code) => {
    // Given a catalogue service
    // When its document is built
    const doc = docOf(code as string);
    // Then it passes the structural check (no broken reference, every path parameter declared, valid responses)
    expect(checkOpenApiDocument(doc)).toEqual([]);
    expect(doc.openapi).toBe('3.0.3');
    // and survives a JSON round trip unchanged (what getOpenAPI sends)
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it.each(SERVICES.map((s) => [s.serviceCode, s]))('%s: the path, the method and the responses of the catalogue', (_code, s) => {
    const doc = docOf(s.serviceCode);
    expect(Object.keys(doc.paths)).toEqual([`/${s.pathTemplate}`]);
    expect(Object.keys(doc.paths[`/${s.pathTemplate}`]).filter((k) => k !== 'parameters')).toEqual([s.method.toLowerCase()]);
    expect(Object.keys(operation(doc).responses)).toEqual(expect.arrayContaining(['200', '400', '404', '405']));
    expect(doc.servers[0].url).toBe(`/r1/${s.provider}/${s.serviceCode}`);
  });

  it.each(SERVICES.map((s) => [s.serviceCode]))('%s: valid for the official OpenAPI 3.0 schema and rules (@apidevtools/swagger-parser)', async (code) => {
    // Given the document getOpenAPI serves; when an independent validator reads it (a copy: it dereferences in place)
    // Then it is valid for the OpenAPI 3.0 schema (checkOpenApiDocument, above, checks the rules a schema cannot say)
    await expect(SwaggerParser.validate(structuredClone(docOf(code)) as never)).resolves.toBeDefined();
  });

  it('is refused by that validator when broken, so the check above checks something', async () => {
    const broken = structuredClone(docOf('citizen-lookup')) as unknown as Json;
    delete operation(broken as unknown as OpenApiDocument).responses['200'].description;
    await expect(SwaggerParser.validate(broken as never)).rejects.toThrow(/description/);
  });

  it('has none for a code outside the catalogue', () => {
    expect(openApiFor('listMethods')).toBeUndefined();
    expect(openApiFor('')).toBeUndefined();
  });

  it('puts the instance asked for in the server address', () => {
    expect(openApiFor('citizen-lookup', { instance: 'VN-TEST' })!.servers[0].url).toBe('/r1/VN-TEST/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup');
  });

  it('gives X-Road endpoints with the path parameter as *', () => {
    expect(openApiEndpoints(docOf('citizen-lookup'))).toEqual([{ method: 'GET', path: '/*' }]);
    expect(openApiEndpoints(docOf('citizen-verify'))).toEqual([{ method: 'POST', path: '/' }]);
  });

  describe('error bodies', () => {
    const doc = docOf('citizen-lookup');
    const schemaOf = (status: string) => operation(doc).responses[status].content['application/json'].schema;

    it("400 is the provider's {code: BAD_REQUEST, field, message} or a platform fault", () => {
      expect(schemaErrors(doc, schemaOf('400'), { code: 'BAD_REQUEST', field: 'personalId', message: 'must be 12 digits' })).toEqual([]);
      expect(schemaErrors(doc, schemaOf('400'), { type: 'Client.BadRequest', message: 'x', detail: 't' })).toEqual([]);
      expect(schemaErrors(doc, schemaOf('400'), { code: 'BAD_REQUEST', message: 'no field' })).not.toEqual([]);
    });

    it("404 is the provider's {code: NOT_FOUND, message}", () => {
      expect(schemaErrors(doc, schemaOf('404'), { code: 'NOT_FOUND', message: 'citizen 001090000001 not found' })).toEqual([]);
    });

    it('405 is a platform fault with X-Road-Error', () => {
      expect(operation(doc).responses['405'].headers['X-Road-Error']).toBeDefined();
      expect(schemaErrors(doc, schemaOf('405'), { type: 'Client.BadRequest', message: 'citizen-lookup takes GET, not POST' })).toEqual([]);
    });
  });

  describe('citizen-verify request body', () => {
    const doc = docOf('citizen-verify');
    const body = operation(doc).requestBody;
    const schema = body.content['application/json'].schema;
    const personalId = formatPersonalId('001', 1990, 'male', 1);

    it('is required JSON with personalId required', () => {
      expect(body.required).toBe(true);
      expect((resolveRef(doc as any, schema.$ref) as Json).required).toEqual(['personalId']);
    });

    it.each(VERIFIABLE_CITIZEN_FIELDS.map((f) => [f]))('accepts personalId with %s alone', (field) => {
      const sample: Record<string, string> = {
        fullName: 'Nguyễn Văn A',
        dateOfBirth: '1990-01-02',
        sex: 'male',
        hometown: 'x',
        permanentAddress: 'y',
        ethnicity: 'Kinh',
        nationality: 'Việt Nam',
      };
      expect(schemaErrors(doc, schema, { personalId, [field]: sample[field] })).toEqual([]);
    });

    it.each([
      ['personalId alone', { personalId }],
      ['no personalId', { fullName: 'Nguyễn Văn A' }],
      ['a date not YYYY-MM-DD', { personalId, dateOfBirth: '02/01/1990' }],
      ['a sex other than male or female', { personalId, sex: 'M' }],
      ['a personal ID of 11 digits', { personalId: '00109000000', fullName: 'A' }],
    ])('refuses %s', (_why, value) => {
      expect(schemaErrors(doc, schema, value)).not.toEqual([]);
    });
  });
});

/**
 * The documents' path patterns against the identifier parsers the providers
 * validate with: every key the parser takes matches the pattern, and a key the
 * pattern refuses the parser refuses too (the pattern is the form; the parser
 * adds the province code and the check digit).
 */
describe('path parameter patterns in step with the identifier parsers', () => {
  const pids = [formatPersonalId('001', 1990, 'male', 1), formatPersonalId(PROVINCES[62].code, 2004, 'female', 999_999), formatPersonalId('079', 1900, 'female', 0)];
  const cases: Array<[string, (s: string) => Parsed<unknown>, string[], string[]]> = [
    ['citizen-lookup', parsePersonalId, pids, ['00109000000', '0010900000011', '00109000000a', '001 090000001', '', '+01090000001']],
    [
      'enterprise-lookup',
      parseEnterpriseCode,
      ['0100233488', '0106001236', '0100233488-001', '0100233488001'],
      ['010023348', '01002334a8', '0100233488-01', '0100233488--001', '0100233488_001'],
    ],
    ['health-insurance-card', parseInsuranceKey, ['0100000001', '1234567890', ...pids], ['010000000', '01000000011', '0100000001-1', 'BH0100000001']],
  ];

  it.each(cases)('%s: valid keys match, keys of the wrong form do not', (code, parse, valid, invalid) => {
    const doc = docOf(code);
    const param = pathParameter(doc)!;
    const pattern = new RegExp(param.schema.pattern);
    for (const key of valid) {
      expect(parse(key).ok).toBe(true);
      expect(pattern.test(key)).toBe(true);
    }
    for (const key of invalid) {
      expect(pattern.test(key)).toBe(false);
      expect(parse(key).ok).toBe(false);
    }
    // and the example the document shows is a key the provider takes
    expect(parse(param.schema.example).ok).toBe(true);
  });

  it.each(cases)('%s: over many random keys, whatever the parser takes the pattern matches', (code, parse) => {
    const pattern = new RegExp(pathParameter(docOf(code))!.schema.pattern);
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const alphabet = '0123456789-';
    for (let i = 0; i < 5000; i++) {
      const len = 8 + Math.floor(random() * 7);
      const key = Array.from({ length: len }, () => alphabet[Math.floor(random() * (random() < 0.9 ? 10 : 11))]).join('');
      if (parse(key).ok) expect(pattern.test(key)).toBe(true);
      if (!pattern.test(key)) expect(parse(key).ok).toBe(false);
    }
  });

  it('citizen-verify takes the personal ID in the body, with the same pattern', () => {
    const doc = docOf('citizen-verify');
    expect(pathParameter(doc)).toBeUndefined();
    expect((resolveRef(doc as any, '#/components/schemas/VerifyRequest') as Json).properties.personalId.pattern).toBe(pathParameter(docOf('citizen-lookup'))!.schema.pattern);
  });
});
