import { CatalogueService, SERVICES } from './catalogue';
import { ENTERPRISE_CODE_PATTERN, INSURANCE_KEY_PATTERN, INSURANCE_NUMBER_PATTERN, PERSONAL_ID_PATTERN, XROAD_INSTANCE } from './identifiers';

/**
 * OpenAPI 3.0.3 descriptions of the national databases' services, as the
 * X-Road metaservice getOpenAPI (PR-MREST §5) hands them out. Pure: built from
 * the catalogue and the identifier patterns, so a change to either shows here.
 *
 * Paths are the service path after the service code (what X-Road forwards to
 * the provider); the server is the service's X-Road address on the caller's
 * own security server (the LGSP), `/r1/{INSTANCE}/{CLASS}/{MEMBER}/{SUBSYSTEM}/{SERVICE}`.
 * A pattern is the form of a key only: a key of the right form may still be
 * refused (province code, check digit), with the 400 body below.
 */
export const OPENAPI_VERSION = '3.0.3';

/** YYYY-MM-DD: the form the citizen services give and take dates in (the providers' check in national-services.ts). */
export const DATE_PATTERN = '^\\d{4}-\\d{2}-\\d{2}$';

/** The fields citizen-verify compares, in the providers' order. */
export const VERIFIABLE_CITIZEN_FIELDS = ['fullName', 'dateOfBirth', 'sex', 'hometown', 'permanentAddress', 'ethnicity', 'nationality'] as const;

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  servers: Array<{ url: string; description?: string }>;
  paths: Record<string, Record<string, unknown>>;
  components: Record<string, Record<string, unknown>>;
  security?: Array<Record<string, string[]>>;
}

type Schema = Record<string, unknown>;

const str = (description: string, extra: Schema = {}): Schema => ({ type: 'string', description, ...extra });
const date = (description: string): Schema => str(description, { pattern: DATE_PATTERN, format: 'date', example: '1990-05-17' });
const sex: Schema = { type: 'string', enum: ['male', 'female'] };
const ref = (name: string, kind = 'schemas') => ({ $ref: `#/components/${kind}/${name}` });
const json = (schema: Schema) => ({ 'application/json': { schema } });

/** The key in the path, per service: name, pattern, example, description. */
const PATH_KEYS: Record<string, { pattern: string; example: string; description: string }> = {
  personalId: {
    pattern: PERSONAL_ID_PATTERN,
    example: '001090000001',
    description: '12-digit personal identification number: province of birth registration (3), century and sex (1), year of birth (2), serial (6)',
  },
  enterpriseCode: {
    pattern: ENTERPRISE_CODE_PATTERN,
    example: '0100233488',
    description: '10-digit enterprise (tax) code with its check digit; a branch adds 3 digits, with or without a dash (0100233488-001)',
  },
  insuranceNumberOrPersonalId: {
    pattern: INSURANCE_KEY_PATTERN,
    example: '0100000001',
    description: '10-digit social insurance number, or the 12-digit personal ID that stands for it',
  },
};

const CITIZEN_RECORD: Schema = {
  type: 'object',
  required: ['personalId', ...VERIFIABLE_CITIZEN_FIELDS],
  additionalProperties: false,
  properties: {
    personalId: str('12-digit personal identification number', { pattern: PERSONAL_ID_PATTERN }),
    fullName: str('full name, in Vietnamese'),
    dateOfBirth: date('date of birth'),
    sex,
    hometown: str('place of origin (quê quán)'),
    permanentAddress: str('permanent residence (nơi thường trú)'),
    ethnicity: str('ethnic group'),
    nationality: str('nationality'),
  },
};

const VERIFY_REQUEST: Schema = {
  type: 'object',
  required: ['personalId'],
  anyOf: VERIFIABLE_CITIZEN_FIELDS.map((f) => ({ required: [f] })),
  description: 'The personal ID and at least one field to check; personalId must agree with dateOfBirth (birth year) and sex where they are sent',
  properties: {
    personalId: str('12-digit personal identification number', { pattern: PERSONAL_ID_PATTERN }),
    fullName: str('full name as the caller holds it'),
    dateOfBirth: date('date of birth as the caller holds it'),
    sex,
    hometown: str('place of origin as the caller holds it'),
    permanentAddress: str('permanent residence as the caller holds it'),
    ethnicity: str('ethnic group as the caller holds it'),
    nationality: str('nationality as the caller holds it'),
  },
};

const fieldNames: Schema = { type: 'array', items: { type: 'string', enum: [...VERIFIABLE_CITIZEN_FIELDS] } };
const VERIFY_RESULT: Schema = {
  type: 'object',
  required: ['result', 'checked'],
  additionalProperties: false,
  description: '"match", or "mismatch" with the names of the fields that differ: never the stored values. Compared ignoring case, spacing and Unicode form',
  properties: {
    result: { type: 'string', enum: ['match', 'mismatch'] },
    fields: { ...fieldNames, description: 'the fields that differ (only when result is mismatch)' },
    checked: { ...fieldNames, description: 'the fields that were compared' },
  },
};

const ENTERPRISE_RECORD: Schema = {
  type: 'object',
  required: ['enterpriseCode', 'parentCode', 'name', 'status', 'address', 'legalRepresentative', 'registrationDate', 'businessLines', 'branches'],
  additionalProperties: false,
  properties: {
    enterpriseCode: str('the code, a branch as 0100233488-001', { pattern: ENTERPRISE_CODE_PATTERN }),
    parentCode: str('the parent enterprise of a branch', { nullable: true, pattern: ENTERPRISE_CODE_PATTERN }),
    name: str('registered name'),
    status: str('registration status, in Vietnamese (e.g. "Đang hoạt động")'),
    address: str('head office address'),
    legalRepresentative: str('legal representative'),
    registrationDate: date('date of first registration'),
    businessLines: {
      type: 'array',
      items: {
        type: 'object',
        required: ['code', 'name', 'main'],
        properties: { code: str('VSIC code'), name: str('business line'), main: { type: 'boolean', description: 'the main business line' } },
      },
    },
    branches: { type: 'array', items: str('code of a branch', { pattern: ENTERPRISE_CODE_PATTERN }) },
  },
};

const INSURANCE_CARD: Schema = {
  type: 'object',
  required: ['insuranceNumber', 'cardNumber', 'fullName', 'validFrom', 'validTo', 'valid', 'benefitLevel', 'registeredClinic'],
  additionalProperties: false,
  properties: {
    insuranceNumber: str('10-digit social insurance number', { pattern: INSURANCE_NUMBER_PATTERN }),
    cardNumber: str('15-character health-insurance card number'),
    fullName: str('full name of the insured'),
    validFrom: date('first day of validity'),
    validTo: date('last day of validity'),
    valid: { type: 'boolean', description: 'whether today (Vietnam time) is within validFrom..validTo' },
    benefitLevel: { type: 'integer', minimum: 1, maximum: 5, description: 'benefit level' },
    registeredClinic: {
      type: 'object',
      required: ['code', 'name'],
      properties: { code: str('clinic code'), name: str('clinic name') },
    },
  },
};

const RECORDS: Record<string, { name: string; schema: Schema }> = {
  'citizen-lookup': { name: 'Citizen', schema: CITIZEN_RECORD },
  'citizen-verify': { name: 'VerifyResult', schema: VERIFY_RESULT },
  'enterprise-lookup': { name: 'Enterprise', schema: ENTERPRISE_RECORD },
  'health-insurance-card': { name: 'HealthInsuranceCard', schema: INSURANCE_CARD },
};

const ERRORS: Record<string, Schema> = {
  BadRequest: {
    type: 'object',
    required: ['code', 'field', 'message'],
    description: "The provider's answer to a request it cannot take",
    properties: { code: { type: 'string', enum: ['BAD_REQUEST'] }, field: str('the input at fault (a path parameter, a body field, or "body")'), message: str('what is wrong') },
  },
  NotFound: {
    type: 'object',
    required: ['code', 'message'],
    description: "The provider's answer when it holds no record for the key",
    properties: { code: { type: 'string', enum: ['NOT_FOUND'] }, message: str('what was not found') },
  },
  XRoadError: {
    type: 'object',
    required: ['type', 'message'],
    description: 'A fault of the platform (X-Road REST error, PR-REST §4.6): the answer carries the header X-Road-Error with the same type',
    properties: { type: str('fault code, e.g. Server.ServerProxy.AccessDenied'), message: str('what went wrong'), detail: str('a reference to the fault') },
  },
};

const PARAMETERS: Record<string, Schema> = {
  XRoadClient: {
    name: 'X-Road-Client',
    in: 'header',
    required: true,
    description: 'the calling subsystem, INSTANCE/CLASS/MEMBER/SUBSYSTEM',
    schema: { type: 'string', example: 'VN/GOV/000.00.00.H26/MOTCUA' },
  },
  XRoadId: {
    name: 'X-Road-Id',
    in: 'header',
    required: false,
    description: 'message id, echoed on the answer (generated as {instance}-{UUID} when absent); not a cache key',
    schema: { type: 'string' },
  },
  XRoadUserId: { name: 'X-Road-UserId', in: 'header', required: false, description: 'the user on whose behalf the system calls', schema: { type: 'string' } },
};

const xRoadError = (description: string) => ({ description, headers: { 'X-Road-Error': { schema: { type: 'string' } } }, content: json(ref('XRoadError')) });

function operationFor(s: CatalogueService, keyName: string | undefined) {
  const record = RECORDS[s.serviceCode];
  const op: Record<string, unknown> = {
    operationId: s.serviceCode.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()),
    summary: s.description,
    tags: [s.database],
    parameters: [ref('XRoadClient', 'parameters'), ref('XRoadId', 'parameters'), ref('XRoadUserId', 'parameters')],
    responses: {
      '200': { description: 'the answer', content: json(ref(record.name)) },
      '400': {
        description: `the ${keyName ?? 'body'} is not acceptable (BAD_REQUEST from the provider), or the request is not (a Client.* fault with X-Road-Error)`,
        content: json({ oneOf: [ref('BadRequest'), ref('XRoadError')] }),
      },
      '404': {
        description: 'no record for the key (NOT_FOUND from the provider), or no such service or member (a Client.* fault with X-Road-Error)',
        content: json({ oneOf: [ref('NotFound'), ref('XRoadError')] }),
      },
      '405': xRoadError(`sent with another method than ${s.method}`),
      default: xRoadError('a fault of the platform: access denied (401, 403), timeout (504), provider or platform failure (5xx)'),
    },
  };
  if (s.method === 'POST') op.requestBody = { required: true, content: json(ref('VerifyRequest')) };
  return op;
}

/** The OpenAPI document of one catalogue service, or undefined for a code not in the catalogue. */
export function openApiFor(serviceCode: string, opts: { instance?: string } = {}): OpenApiDocument | undefined {
  const s = SERVICES.find((x) => x.serviceCode === serviceCode);
  if (!s || !RECORDS[serviceCode]) return undefined;
  const [, ...providerParts] = s.provider.split('/');
  const provider = [opts.instance ?? XROAD_INSTANCE, ...providerParts].join('/');
  const keyName = /^\{([A-Za-z]+)\}$/.exec(s.pathTemplate)?.[1];
  const key = keyName ? PATH_KEYS[keyName] : undefined;
  if (keyName && !key) throw new Error(`no pattern for path parameter ${keyName} of ${serviceCode}`);

  const pathItem: Record<string, unknown> = { [s.method.toLowerCase()]: operationFor(s, keyName) };
  if (keyName && key)
    pathItem.parameters = [{ name: keyName, in: 'path', required: true, description: key.description, schema: { type: 'string', pattern: key.pattern, example: key.example } }];
  const record = RECORDS[serviceCode];
  return {
    openapi: OPENAPI_VERSION,
    info: { title: `${serviceCode}: ${s.description}`, version: s.version, description: `Service ${serviceCode} of ${provider} (${s.database} database), through X-Road REST.` },
    servers: [{ url: `/r1/${provider}/${serviceCode}`, description: "the service's X-Road address on the caller's LGSP" }],
    paths: { [`/${s.pathTemplate}`]: pathItem },
    components: {
      schemas: { [record.name]: record.schema, ...(s.method === 'POST' ? { VerifyRequest: VERIFY_REQUEST } : {}), ...ERRORS },
      parameters: PARAMETERS,
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: "the calling system's API key" },
        bearer: { type: 'http', scheme: 'bearer', description: 'the same key as a bearer token' },
      },
    },
    security: [{ apiKey: [] }, { bearer: [] }],
  };
}

/** The path of every endpoint a document describes, in X-Road's endpoint form: a path parameter becomes `*`. */
export function openApiEndpoints(doc: OpenApiDocument): Array<{ method: string; path: string }> {
  const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((m) => methods.includes(m))
      .map((m) => ({ method: m.toUpperCase(), path: path.replace(/\{[^}]+\}/g, '*') })),
  );
}
