import { parseEnterpriseCode, parseInsuranceKey, parsePersonalId, personalIdContradictions, ProviderRequest } from '@ndxp/contracts';
import { CitizenRow, NationalRepository } from './national.repository';

/**
 * A national database's own answer: any status, a JSON body. It reaches the
 * client unchanged and without X-Road-Error (X-Road's rule: an answer without
 * that header is the provider's, whatever its status).
 */
export interface ServiceAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** The provider's own error body: `code`, the `field` at fault when there is one, and what to do. */
export const badRequest = (field: string, message: string): ServiceAnswer => ({ status: 400, body: { code: 'BAD_REQUEST', field, message: `${field}: ${message}` } });
const notFound = (what: string): ServiceAnswer => ({ status: 404, body: { code: 'NOT_FOUND', message: `${what} not found` } });
const wrongMethod = (req: ProviderRequest, expected: string): ServiceAnswer => ({
  status: 405,
  headers: { allow: expected },
  body: { code: 'METHOD_NOT_ALLOWED', message: `${req.serviceCode} takes ${expected}, not ${req.method}` },
});

type Key = { ok: true; key: string } | { ok: false; answer: ServiceAnswer };

/**
 * The one path segment after the service code: the key the service looks up.
 * The path arrives as the client sent it, so it is percent-decoded here, once.
 */
function keyFromPath(req: ProviderRequest, field: string, usage: string): Key {
  const parts = req.path.split('/').filter(Boolean);
  if (parts.length !== 1) return { ok: false, answer: badRequest(field, `put it in the path: ${usage}`) };
  try {
    return { ok: true, key: decodeURIComponent(parts[0]) };
  } catch {
    return { ok: false, answer: badRequest(field, `"${parts[0].slice(0, 40)}" is not valid percent-encoding`) };
  }
}

/** A JSON object body, or the provider's answer saying why not. */
function jsonObjectBody(req: ProviderRequest, usage: string): { ok: true; body: Record<string, unknown> } | { ok: false; answer: ServiceAnswer } {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/([\w.+-]*\+)?json\b/i.test(type)) return { ok: false, answer: badRequest('body', `send Content-Type: application/json with ${usage}`) };
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(req.body ?? '', 'base64').toString('utf8'));
  } catch (e) {
    return { ok: false, answer: badRequest('body', `not valid JSON (${(e as Error).message.slice(0, 100)}): send ${usage}`) };
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { ok: false, answer: badRequest('body', `send ${usage}`) };
  return { ok: true, body: body as Record<string, unknown> };
}

function today(): string {
  return new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10); // Vietnam's calendar day
}

const norm = (s: unknown) =>
  String(s ?? '')
    .normalize('NFC')
    .trim()
    .replace(/\s+/g, ' ')
    .toLocaleLowerCase('vi');

/** A citizen's fields as the services name them (the lookup's answer; what verify compares). */
function citizenFields(c: CitizenRow) {
  return {
    fullName: c.full_name,
    dateOfBirth: c.date_of_birth,
    sex: c.sex,
    hometown: c.hometown,
    permanentAddress: c.permanent_address,
    ethnicity: c.ethnicity,
    nationality: c.nationality,
  };
}

const VERIFY_FIELDS = ['fullName', 'dateOfBirth', 'sex', 'hometown', 'permanentAddress', 'ethnicity', 'nationality'] as const;

/**
 * The services of the three national databases. Each takes a whole batch of
 * requests for one database, validates each, reads every key with one query,
 * and answers each. Answers never disclose more than the service promises.
 */
export async function answerBatch(repo: NationalRepository, database: string, reqs: ProviderRequest[]): Promise<ServiceAnswer[]> {
  const answers: Array<ServiceAnswer | undefined> = new Array(reqs.length);
  const wanted: Array<{ i: number; key: string; kind: string; verify?: Record<string, unknown> }> = [];

  /** Validates one request: its answer now (an error), or what to look up. */
  const take = (req: ProviderRequest, i: number): unknown => {
    switch (req.serviceCode) {
      case 'citizen-lookup': {
        if (req.method !== 'GET') return (answers[i] = wrongMethod(req, 'GET'));
        const key = keyFromPath(req, 'personalId', 'citizen-lookup/{personalId}, the 12-digit personal ID');
        if (!key.ok) return (answers[i] = key.answer);
        const id = parsePersonalId(key.key);
        if (!id.ok) return (answers[i] = badRequest('personalId', id.reason));
        wanted.push({ i, key: key.key, kind: 'citizen' });
        return;
      }
      case 'citizen-verify': {
        if (req.method !== 'POST') return (answers[i] = wrongMethod(req, 'POST'));
        const read = jsonObjectBody(req, 'a JSON object {personalId, fullName, dateOfBirth, sex, ...}');
        if (!read.ok) return (answers[i] = read.answer);
        const body = read.body;
        if (typeof body.personalId !== 'string') return (answers[i] = badRequest('personalId', 'must be a string of 12 digits'));
        const id = parsePersonalId(body.personalId);
        if (!id.ok) return (answers[i] = badRequest('personalId', id.reason));
        if (body.dateOfBirth !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(body.dateOfBirth)))
          return (answers[i] = badRequest('dateOfBirth', `"${body.dateOfBirth}" must be YYYY-MM-DD`));
        if (body.sex !== undefined && body.sex !== 'male' && body.sex !== 'female') return (answers[i] = badRequest('sex', `"${body.sex}" must be male or female`));
        const held = {
          birthYear: body.dateOfBirth ? Number(String(body.dateOfBirth).slice(0, 4)) : id.value.birthYear,
          sex: (body.sex as 'male' | 'female' | undefined) ?? id.value.sex,
        };
        const contradictions = personalIdContradictions(id.value, held);
        if (contradictions.length) return (answers[i] = badRequest('personalId', `contradicts the fields sent: ${contradictions.join('; ')}`));
        const known = VERIFY_FIELDS.filter((f) => body[f] !== undefined);
        if (known.length === 0) return (answers[i] = badRequest('body', `send at least one of ${VERIFY_FIELDS.join(', ')} to verify`));
        wanted.push({ i, key: id.value.value, kind: 'verify', verify: body });
        return;
      }
      case 'enterprise-lookup': {
        if (req.method !== 'GET') return (answers[i] = wrongMethod(req, 'GET'));
        const key = keyFromPath(req, 'enterpriseCode', 'enterprise-lookup/{enterpriseCode}');
        if (!key.ok) return (answers[i] = key.answer);
        const code = parseEnterpriseCode(key.key);
        if (!code.ok) return (answers[i] = badRequest('enterpriseCode', code.reason));
        wanted.push({ i, key: code.value.normalized, kind: 'enterprise' });
        return;
      }
      case 'health-insurance-card': {
        if (req.method !== 'GET') return (answers[i] = wrongMethod(req, 'GET'));
        const key = keyFromPath(req, 'insuranceNumberOrPersonalId', 'health-insurance-card/{number}');
        if (!key.ok) return (answers[i] = key.answer);
        const k = parseInsuranceKey(key.key);
        if (!k.ok) return (answers[i] = badRequest('insuranceNumberOrPersonalId', k.reason));
        wanted.push({ i, key: k.value.value, kind: k.value.kind });
        return;
      }
      default:
        answers[i] = { status: 404, body: { code: 'NOT_FOUND', message: `the ${database} database has no service ${req.serviceCode}` } };
    }
  };
  reqs.forEach((req, i) => {
    // One request's input, however strange, answers that request alone: never the batch it came in.
    try {
      take(req, i);
    } catch (e) {
      answers[i] = badRequest('body', `could not be read (${(e as Error).message.slice(0, 100)})`);
    }
  });

  const citizenKeys = wanted.filter((w) => w.kind === 'citizen' || w.kind === 'verify').map((w) => w.key);
  const enterpriseKeys = wanted.filter((w) => w.kind === 'enterprise').map((w) => w.key);
  const insNumbers = wanted.filter((w) => w.kind === 'insurance-number').map((w) => w.key);
  const insPersonal = wanted.filter((w) => w.kind === 'personal-id').map((w) => w.key);
  const [people, firms, insured] = await Promise.all([repo.citizens(citizenKeys), repo.enterprises(enterpriseKeys), repo.insurance(insNumbers, insPersonal)]);

  for (const w of wanted) {
    if (w.kind === 'citizen') {
      const c = people.get(w.key);
      answers[w.i] = c ? { status: 200, body: { personalId: c.personal_id, ...citizenFields(c) } } : notFound(`citizen ${w.key}`);
    } else if (w.kind === 'verify') {
      const c = people.get(w.key);
      if (!c) {
        answers[w.i] = notFound(`citizen ${w.key}`);
        continue;
      }
      const record: Record<string, unknown> = citizenFields(c);
      const checked = VERIFY_FIELDS.filter((f) => w.verify![f] !== undefined);
      const differing = checked.filter((f) => norm(w.verify![f]) !== norm(record[f]));
      // Only "match" or the names of the fields that differ: never the stored values.
      answers[w.i] = { status: 200, body: differing.length ? { result: 'mismatch', fields: differing, checked } : { result: 'match', checked } };
    } else if (w.kind === 'enterprise') {
      const e = firms.byCode.get(w.key);
      answers[w.i] = e
        ? {
            status: 200,
            body: {
              enterpriseCode: e.code,
              parentCode: e.parent_code,
              name: e.name,
              status: e.status,
              address: e.address,
              legalRepresentative: e.legal_representative,
              registrationDate: e.registration_date,
              businessLines: e.business_lines,
              branches: firms.branchesOf.get(e.code) ?? [],
            },
          }
        : notFound(`enterprise ${w.key}`);
    } else {
      const p = w.kind === 'insurance-number' ? insured.byNumber.get(w.key) : insured.byPersonalId.get(w.key);
      answers[w.i] = p
        ? {
            status: 200,
            body: {
              insuranceNumber: p.insurance_number,
              cardNumber: p.card_number,
              fullName: p.full_name,
              validFrom: p.valid_from,
              validTo: p.valid_to,
              valid: p.valid_from <= today() && today() <= p.valid_to,
              benefitLevel: p.benefit_level,
              registeredClinic: { code: p.clinic_code, name: p.clinic_name },
            },
          }
        : notFound(`insurance participant ${w.key}`);
    }
  }
  return answers as ServiceAnswer[];
}
