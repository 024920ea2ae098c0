import { formatPersonalId, openApiFor, OpenApiDocument, ProviderRequest } from '@ndxp/contracts';
import { schemaErrors } from '@ndxp/contracts/openapi-check';
import { answerBatch, ServiceAnswer } from './national-services';
import { CitizenRow, EnterpriseRow, InsuranceRow, NationalRepository } from './national.repository';

/**
 * The providers against the OpenAPI documents getOpenAPI hands out: what a
 * document says a service answers is what the service answers, and what it
 * says a service takes the service takes.
 */
const personalId = formatPersonalId('001', 1990, 'male', 1);
const citizen: CitizenRow = {
  personal_id: personalId,
  full_name: 'Nguyễn Văn An',
  date_of_birth: '1990-05-17',
  sex: 'male',
  province_code: '001',
  hometown: 'Hà Nội',
  permanent_address: 'Số 1, Hàng Bài, Hoàn Kiếm, Hà Nội',
  ethnicity: 'Kinh',
  nationality: 'Việt Nam',
};
const firm: EnterpriseRow = {
  code: '0100233488',
  parent_code: null,
  name: 'Công ty TNHH Thành Công',
  status: 'Đang hoạt động',
  address: 'Hà Nội',
  legal_representative: 'Trần Văn Bình',
  registration_date: '2001-03-04',
  business_lines: [{ code: '6201', name: 'Lập trình máy vi tính', main: true }],
};
const insured: InsuranceRow = {
  insurance_number: '0100000001',
  personal_id: personalId,
  full_name: 'Nguyễn Văn An',
  card_number: 'DN4010100000001',
  valid_from: '2025-01-01',
  valid_to: '2099-12-31',
  clinic_code: '01-001',
  clinic_name: 'Bệnh viện Đa khoa tỉnh',
  benefit_level: 4,
};

/** A repository that holds the one citizen, enterprise (with one branch) and insured person above. */
const repo = {
  citizens: async (ids: string[]) => new Map(ids.filter((i) => i === personalId).map((i) => [i, citizen])),
  enterprises: async (codes: string[]) => ({
    byCode: new Map(codes.filter((c) => c === firm.code).map((c) => [c, firm])),
    branchesOf: new Map([[firm.code, ['0100233488-001']]]),
  }),
  insurance: async (numbers: string[], pids: string[]) => ({
    byNumber: new Map(numbers.filter((n) => n === insured.insurance_number).map((n) => [n, insured])),
    byPersonalId: new Map(pids.filter((p) => p === personalId).map((p) => [p, insured])),
  }),
} as unknown as NationalRepository;

const call = async (serviceCode: string, method: string, path: string, body?: unknown): Promise<ServiceAnswer> => {
  const req: ProviderRequest = {
    transactionId: 't',
    service: `x/${serviceCode}`,
    serviceCode,
    client: 'c',
    method,
    path: path ? `/${path}` : '',
    rawQuery: '',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: Buffer.from(JSON.stringify(body)).toString('base64') }),
    deadlineAt: Date.now() + 5000,
  };
  const [answer] = await answerBatch(repo, 'any', [req]);
  return answer;
};

const doc = (code: string): OpenApiDocument => openApiFor(code)!;
const responseSchema = (d: OpenApiDocument, status: string) => {
  const item = Object.values(d.paths)[0];
  const op = item[Object.keys(item).find((k) => k !== 'parameters')!] as any;
  return op.responses[status].content['application/json'].schema;
};

describe('the national providers answer as their OpenAPI documents say', () => {
  it.each([
    ['citizen-lookup', 'GET', personalId, undefined],
    ['citizen-verify', 'POST', '', { personalId, fullName: 'nguyễn  văn an', sex: 'male' }],
    ['citizen-verify', 'POST', '', { personalId, fullName: 'Lê Thị Hoa', hometown: 'Huế' }],
    ['enterprise-lookup', 'GET', '0100233488', undefined],
    ['health-insurance-card', 'GET', '0100000001', undefined],
    ['health-insurance-card', 'GET', personalId, undefined],
  ])('%s %s /%s: the 200 answer fits the 200 schema', async (code, method, path, body) => {
    // Given a record for the key
    // When the service is called as its document describes
    const d = doc(code);
    if (body !== undefined) expect(schemaErrors(d, (Object.values(d.paths)[0].post as any).requestBody.content['application/json'].schema, body)).toEqual([]);
    const answer = await call(code, method, path, body);
    // Then it answers 200 with a body the schema accepts, no field more, none missing
    expect(answer.status).toBe(200);
    expect(schemaErrors(d, responseSchema(d, '200'), answer.body)).toEqual([]);
  });

  it.each([
    ['citizen-lookup', 'GET', formatPersonalId('079', 1985, 'female', 42), undefined],
    ['citizen-verify', 'POST', '', { personalId: formatPersonalId('079', 1985, 'female', 42), fullName: 'x' }],
    ['enterprise-lookup', 'GET', '0106001236', undefined],
    ['health-insurance-card', 'GET', '0100000002', undefined],
  ])('%s %s /%s: no record is the 404 body of the document', async (code, method, path, body) => {
    const d = doc(code);
    const answer = await call(code, method, path, body);
    expect(answer.status).toBe(404);
    expect(schemaErrors(d, { $ref: '#/components/schemas/NotFound' }, answer.body)).toEqual([]);
  });

  // 400: only the status for now; the providers are moving to the {code: BAD_REQUEST, field, message} body the documents describe.
  it.each([
    ['citizen-lookup', 'GET', '00109000000', undefined],
    ['enterprise-lookup', 'GET', '01002334a8', undefined],
    ['health-insurance-card', 'GET', '010000000', undefined],
    ['citizen-verify', 'POST', '', { personalId }],
    ['citizen-verify', 'POST', '', { personalId, dateOfBirth: '17/05/1990' }],
    ['citizen-verify', 'POST', '', { personalId, sex: 'M' }],
  ])('%s %s /%s: what the document refuses the provider refuses with 400', async (code, method, path, body) => {
    const d = doc(code);
    const param = (Object.values(d.paths)[0].parameters as any[] | undefined)?.[0];
    if (param) expect(new RegExp(param.schema.pattern).test(path)).toBe(false);
    else expect(schemaErrors(d, { $ref: '#/components/schemas/VerifyRequest' }, body)).not.toEqual([]);
    expect((await call(code, method, path, body)).status).toBe(400);
  });

  it.each([
    ['citizen-lookup', 'POST'],
    ['citizen-verify', 'GET'],
    ['enterprise-lookup', 'PUT'],
    ['health-insurance-card', 'DELETE'],
  ])('%s: a method other than the one documented is 405', async (code, method) => {
    const [documented] = Object.keys(Object.values(doc(code).paths)[0]).filter((k) => k !== 'parameters');
    expect(documented).not.toBe(method.toLowerCase());
    expect((await call(code, method, personalId)).status).toBe(405);
  });
});

describe('one request’s input answers that request alone', () => {
  it('given a 100 000-deep personalId and a good lookup in one batch, when answered, then a 400 for the first and the record for the second', async () => {
    const deep = `{"personalId":${'['.repeat(100_000)}${']'.repeat(100_000)},"fullName":"x"}`;
    const base = { transactionId: 't', client: 'c', rawQuery: '', deadlineAt: Date.now() + 5000 };
    const poison: ProviderRequest = {
      ...base,
      service: 'x/citizen-verify',
      serviceCode: 'citizen-verify',
      method: 'POST',
      path: '',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(deep).toString('base64'),
    };
    const good: ProviderRequest = { ...base, service: 'x/citizen-lookup', serviceCode: 'citizen-lookup', method: 'GET', path: `/${personalId}`, headers: {} };
    const [first, second] = await answerBatch(repo, 'population', [poison, good]);
    expect(first).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST', field: 'personalId' } });
    expect(second).toMatchObject({ status: 200, body: { personalId } });
  });
});
