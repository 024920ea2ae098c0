import { openApiFor } from './openapi';
import { checkOpenApiDocument, schemaErrors } from './openapi-check';

const base = () => JSON.parse(JSON.stringify(openApiFor('citizen-lookup'))) as Record<string, any>;

describe('the structural OpenAPI check finds what it is there for', () => {
  it.each([
    ['a 3.1 version', (d: any) => (d.openapi = '3.1.0'), /3\.0\.x/],
    ['a broken reference', (d: any) => delete d.components.schemas.Citizen, /does not resolve/],
    ['an undeclared path parameter', (d: any) => delete d.paths['/{personalId}'].parameters, /personalId is not declared/],
    ['a path parameter not required', (d: any) => (d.paths['/{personalId}'].parameters[0].required = false), /must be required/],
    ['a response key that is no status', (d: any) => (d.paths['/{personalId}'].get.responses['2000'] = { description: 'x' }), /not a status code/],
    ['a response without description', (d: any) => delete d.paths['/{personalId}'].get.responses['404'].description, /needs a description/],
    ['a pattern that does not compile', (d: any) => (d.paths['/{personalId}'].parameters[0].schema.pattern = '^(\\d{12}$'), /does not compile/],
    ['a required property that is not there', (d: any) => d.components.schemas.Citizen.required.push('age'), /required age/],
    ['a 3.1 type list', (d: any) => (d.components.schemas.Citizen.properties.fullName.type = ['string', 'null']), /not an OpenAPI 3.0 type/],
    ['an undefined security scheme', (d: any) => d.security.push({ oauth: [] }), /scheme oauth is not defined/],
  ])('%s', (_what, breakIt, problem) => {
    // Given a valid document
    const doc = base();
    expect(checkOpenApiDocument(doc)).toEqual([]);
    // When it is broken
    breakIt(doc);
    // Then the check names the problem
    expect(checkOpenApiDocument(doc).join('\n')).toMatch(problem);
  });

  it('checks values against schemas: types, nullable, additional properties', () => {
    const doc = base();
    const citizen = { $ref: '#/components/schemas/Citizen' };
    const person = {
      personalId: '001090000001',
      fullName: 'Nguyễn Văn A',
      dateOfBirth: '1990-05-17',
      sex: 'male',
      hometown: 'Hà Nội',
      permanentAddress: 'Hà Nội',
      ethnicity: 'Kinh',
      nationality: 'Việt Nam',
    };
    expect(schemaErrors(doc, citizen, person)).toEqual([]);
    expect(schemaErrors(doc, citizen, { ...person, sex: 'x' })).toEqual([expect.stringMatching(/not one of male, female/)]);
    expect(schemaErrors(doc, citizen, { ...person, extra: 1 })).toEqual([expect.stringMatching(/extra is not allowed/)]);
    expect(schemaErrors(doc, citizen, { ...person, fullName: null })).toEqual([expect.stringMatching(/null is not allowed/)]);
  });
});
