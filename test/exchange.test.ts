import { execFileSync } from 'child_process';
import { randomUUID } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';
import { repoRoot } from '@ndxp/infra';
import { Kafka, logLevel } from 'kafkajs';
import { FaultTypes, parseEnterpriseCode, statusOfFaultCode } from '@ndxp/contracts';
import { admin, ENTERPRISE, httpRawPath, HANOI, HCMC, http, INSURANCE, keyOf, POPULATION, projected, startTestStack, TestStack, waitUntil, xroad } from './support/stack';

/**
 * The exchange as a connector team uses it: calls through an LGSP, against the
 * real stack (Kafka broker, PostgreSQL, registry, national databases, hub).
 */
describe('the exchange, end to end', () => {
  let s: TestStack;
  let citizen: { personal_id: string; full_name: string; date_of_birth: string; sex: string; hometown: string };
  let enterprise: { code: string };
  let branch: { code: string; parent_code: string };
  let insured: { insurance_number: string; personal_id: string; card_number: string };

  beforeAll(async () => {
    s = await startTestStack('exchange', { EXCHANGE_TIMEOUT_MS: '1500' });
    [citizen] = (
      await s.db.query("SELECT personal_id, full_name, to_char(date_of_birth, 'YYYY-MM-DD') AS date_of_birth, sex, hometown FROM national.citizens ORDER BY personal_id LIMIT 1")
    ).rows;
    [enterprise] = (await s.db.query('SELECT code FROM national.enterprises WHERE parent_code IS NULL ORDER BY code LIMIT 1')).rows;
    [branch] = (await s.db.query('SELECT code, parent_code FROM national.enterprises WHERE parent_code IS NOT NULL ORDER BY code LIMIT 1')).rows;
    [insured] = (await s.db.query('SELECT insurance_number, personal_id, card_number FROM national.insurance_participants ORDER BY insurance_number LIMIT 1')).rows;
  });

  afterAll(async () => {
    if (s) expect(await s.stop()).toBe(0);
  });

  describe('services', () => {
    it("the README's quick-start curl lines work as printed (ports aside)", async () => {
      const readme = readFileSync(join(repoRoot(), 'README.md'), 'utf8');
      const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## Using it as a connector'));
      const lines = quickStart.split('\n').filter((l) => l.startsWith('curl '));
      expect(lines).toHaveLength(3);
      const run = (line: string) =>
        execFileSync('sh', ['-c', line.replace('127.0.0.1:3003', `127.0.0.1:${s.env.LGSP_PORT}`).replace('127.0.0.1:3002', `127.0.0.1:${s.env.NDXP_PORT}`)], {
          encoding: 'utf8',
        });
      const lookup = JSON.parse(run(lines[0]));
      expect(lookup).toMatchObject({ personalId: '001030000483', fullName: expect.any(String) });
      await projected(s);
      const ledger = JSON.parse(run(lines[1]));
      expect(ledger.items[0]).toMatchObject({ service: `${POPULATION}/citizen-lookup`, client: HANOI, outcome: 'success', statusCode: 200 });
      const daily = JSON.parse(run(lines[2]));
      expect(daily.total).toBeGreaterThanOrEqual(1);
      expect(daily.periods[0].byDatabase.population).toBeGreaterThanOrEqual(1);
    });

    it('citizen-lookup returns the record, with the X-Road response headers', async () => {
      const id = randomUUID();
      const r = await xroad(s, HANOI, `${POPULATION}/citizen-lookup`, citizen.personal_id, { headers: { 'X-Road-Id': id, 'X-Road-UserId': 'VN0001' } });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ personalId: citizen.personal_id, fullName: citizen.full_name, dateOfBirth: citizen.date_of_birth, sex: citizen.sex });
      expect(r.headers.get('x-road-id')).toBe(id);
      expect(r.headers.get('x-road-request-hash')).toMatch(/^[A-Za-z0-9+/]{86}==$/);
      expect(r.headers.get('x-road-error')).toBeNull();
    });

    it('citizen-lookup of an unknown but valid ID is a 404 from the database, not a platform error', async () => {
      const r = await xroad(s, HANOI, `${POPULATION}/citizen-lookup`, '001199999999');
      expect(r.status).toBe(404);
      expect(r.headers.get('x-road-error')).toBeNull();
      expect(r.body).toMatchObject({ code: 'NOT_FOUND' });
    });

    it('citizen-verify says "match", or names the fields that differ and discloses nothing else', async () => {
      const match = await xroad(s, HANOI, `${POPULATION}/citizen-verify`, '', {
        method: 'POST',
        body: { personalId: citizen.personal_id, fullName: citizen.full_name.toUpperCase(), dateOfBirth: citizen.date_of_birth, sex: citizen.sex },
      });
      expect(match.status).toBe(200);
      expect(match.body).toEqual({ result: 'match', checked: ['fullName', 'dateOfBirth', 'sex'] });
      const mismatch = await xroad(s, HANOI, `${POPULATION}/citizen-verify`, '', {
        method: 'POST',
        body: { personalId: citizen.personal_id, fullName: 'Someone Else', hometown: citizen.hometown },
      });
      expect(mismatch.body).toEqual({ result: 'mismatch', fields: ['fullName'], checked: ['fullName', 'hometown'] });
      expect(JSON.stringify(mismatch.body)).not.toContain(citizen.full_name);
    });

    it('enterprise-lookup returns name, status, address, representative, registration date and business lines; a branch by its 13-digit code', async () => {
      const r = await xroad(s, HCMC, `${ENTERPRISE}/enterprise-lookup`, enterprise.code);
      expect(r.status).toBe(200);
      expect(parseEnterpriseCode(r.body.enterpriseCode).ok).toBe(true);
      expect(Object.keys(r.body)).toEqual(expect.arrayContaining(['name', 'status', 'address', 'legalRepresentative', 'registrationDate', 'businessLines']));
      expect(r.body.businessLines[0]).toMatchObject({ code: expect.stringMatching(/^\d{4}$/), main: true });
      const b = await xroad(s, HCMC, `${ENTERPRISE}/enterprise-lookup`, branch.code.replace('-', ''));
      expect(b.status).toBe(200);
      expect(b.body).toMatchObject({ enterpriseCode: branch.code, parentCode: branch.parent_code });
    });

    it('health-insurance-card finds the same card by insurance number and by personal ID', async () => {
      const byNumber = await xroad(s, HANOI, `${INSURANCE}/health-insurance-card`, insured.insurance_number);
      const byId = await xroad(s, HANOI, `${INSURANCE}/health-insurance-card`, insured.personal_id);
      expect(byNumber.status).toBe(200);
      expect(byNumber.body).toMatchObject({ cardNumber: insured.card_number, valid: expect.any(Boolean), registeredClinic: { code: expect.any(String) } });
      expect(byId.body).toEqual(byNumber.body);
    });

    it('accepts the Vietnamese adapter form', async () => {
      const r = await http('GET', `${s.url.lgsp}/XrdAdapter/RestService/forward/citizen-lookup/${citizen.personal_id}?dstcode=VN:GOV:000.00.00.G01:CSDLQGDC`, {
        headers: { 'X-Road-Client': HANOI, 'X-API-Key': keyOf(HANOI) },
      });
      expect(r.status).toBe(200);
      expect(r.body.personalId).toBe(citizen.personal_id);
    });
  });

  describe('metaservices (PR-META, PR-MREST)', () => {
    it('listClients: XML by default, JSON when Accept names application/json; members and subsystems of the instance', async () => {
      const xml = await http('GET', `${s.url.lgsp}/listClients`);
      expect(xml.status).toBe(200);
      expect(xml.headers.get('content-type')).toMatch(/^text\/xml/);
      expect(String(xml.body)).toContain('<ns1:subsystemCode>CSDLQGDC</ns1:subsystemCode>');
      const json = await http('GET', `${s.url.lgsp}/listClients`, { headers: { Accept: 'application/json' } });
      expect(json.body.member).toContainEqual({
        id: { member_class: 'GOV', member_code: '000.00.00.H26', subsystem_code: 'MOTCUA', object_type: 'SUBSYSTEM', xroad_instance: 'VN' },
        name: expect.any(String),
      });
      expect((await http('GET', `${s.url.lgsp}/listClients?xRoadInstance=EE`, { headers: { Accept: 'application/json' } })).body).toEqual({ member: [] });
    });

    it('listMethods and allowedMethods: the provider’s REST services in the reference’s JSON', async () => {
      const list = await xroad(s, HANOI, `${POPULATION}/listMethods`);
      expect(list.status).toBe(200);
      expect(list.body.service.map((x: { service_code: string }) => x.service_code).sort()).toEqual(['citizen-lookup', 'citizen-verify']);
      expect(list.body.service[0]).toMatchObject({ object_type: 'SERVICE', xroad_instance: 'VN', member_class: 'GOV', member_code: '000.00.00.G01', subsystem_code: 'CSDLQGDC' });
      const allowed = await xroad(s, HANOI, `${POPULATION}/allowedMethods`);
      expect(allowed.body.service).toHaveLength(2);
    });

    it('getOpenAPI: an OpenAPI 3 document per service; no serviceCode is InvalidRequest', async () => {
      const doc = await xroad(s, HANOI, `${POPULATION}/getOpenAPI?serviceCode=citizen-lookup`);
      expect(doc.status).toBe(200);
      expect(doc.body.openapi).toMatch(/^3\./);
      expect(JSON.stringify(doc.body.paths)).toContain('personalId');
      const missing = await xroad(s, HANOI, `${POPULATION}/getOpenAPI`);
      expect(missing.status).toBe(500);
      expect(missing.headers.get('x-road-error')).toBe(FaultTypes.invalidRequest);
    });
  });

  describe('the Vietnamese adapter form', () => {
    it('without X-Road-Client: the credential names the client, the query loses dstcode and providerurl', async () => {
      const r = await http('GET', `${s.url.lgsp}/XrdAdapter/RestService/forward/citizen-lookup/${citizen.personal_id}?dstcode=VN:GOV:000.00.00.G01:CSDLQGDC&providerurl=http://x`, {
        headers: { 'X-API-Key': keyOf(HANOI) },
      });
      expect(r.status).toBe(200);
      expect(r.body.personalId).toBe(citizen.personal_id);
      expect(r.headers.get('x-road-client')).toBe(HANOI);
      expect(r.headers.get('x-road-service')).toBe(`${POPULATION}/citizen-lookup`);
    });
  });

  describe("the provider's own answers pass through unchanged, without X-Road-Error", () => {
    const expectProviderAnswer = (r: { status: number; headers: Headers; body: any }, status: number, field: string, message: RegExp) => {
      expect(r.status).toBe(status);
      expect(r.headers.get('x-road-error')).toBeNull();
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      expect(r.body).toMatchObject({ code: 'BAD_REQUEST', field, message: expect.stringMatching(message) });
    };

    it.each([
      ['wrong length', `${POPULATION}/citizen-lookup`, '00109501234', 'personalId', /personalId: "00109501234" must be exactly 12 digits/],
      ['no such province', `${POPULATION}/citizen-lookup`, '003095012345', 'personalId', /003 is not a province code/],
      ['bad check digit', `${ENTERPRISE}/enterprise-lookup`, '0100233487', 'enterpriseCode', /enterpriseCode: .*wrong check digit/],
      ['bad insurance key', `${INSURANCE}/health-insurance-card`, '12345', 'insuranceNumberOrPersonalId', /insuranceNumberOrPersonalId/],
      ['an escaped percent sign, decoded once by the provider', `${POPULATION}/citizen-lookup`, '%25zz', 'personalId', /personalId: "%zz"/],
      ['a NUL the provider decodes', `${POPULATION}/citizen-lookup`, 'a%2500', 'personalId', /personalId/],
    ])('an invalid identifier (%s) is the database’s 400', async (_what, service, id, field, message) => {
      expectProviderAnswer(await xroad(s, HANOI, service, id), 400, field, message);
    });

    it('a century/sex digit that contradicts the birth year, and malformed JSON, are the database’s 400', async () => {
      const r = await xroad(s, HANOI, `${POPULATION}/citizen-verify`, '', { method: 'POST', body: { personalId: '001001012345', dateOfBirth: '2001-05-01', fullName: 'X' } });
      expectProviderAnswer(r, 400, 'personalId', /personalId: contradicts the fields sent: birth year 2001 but the number says 1901/);
      const bad = await xroad(s, HANOI, `${POPULATION}/citizen-verify`, '', { method: 'POST', raw: '{"personalId": ', headers: { 'content-type': 'application/json' } });
      expectProviderAnswer(bad, 400, 'body', /not valid JSON/);
      const nul = await xroad(s, HANOI, `${POPULATION}/citizen-verify`, '', {
        method: 'POST',
        raw: `{"personalId":"${citizen.personal_id}\\u0000","fullName":"X"}`,
        headers: { 'content-type': 'application/json' },
      });
      expectProviderAnswer(nul, 400, 'personalId', /must be exactly 12 digits/);
    });

    it('a wrong method is the database’s 405 with Allow', async () => {
      const r = await xroad(s, HANOI, `${POPULATION}/citizen-lookup`, citizen.personal_id, { method: 'DELETE' });
      expect(r.status).toBe(405);
      expect(r.headers.get('x-road-error')).toBeNull();
      expect(r.headers.get('allow')).toBe('GET');
      expect(r.body).toMatchObject({ code: 'METHOD_NOT_ALLOWED' });
    });

    it('one bad request does not fail the others read in the same batch', async () => {
      const calls = await Promise.all([
        xroad(s, HANOI, `${POPULATION}/citizen-lookup`, '%25E0%25A4'),
        ...Array.from({ length: 5 }, () => xroad(s, HANOI, `${POPULATION}/citizen-lookup`, citizen.personal_id)),
      ]);
      expect(calls[0].status).toBe(400);
      expect(calls.slice(1).map((c) => c.status)).toEqual([200, 200, 200, 200, 200]);
    });
  });

  describe('platform faults as a security server sends them (conformance table)', () => {
    const expectFault = (r: { status: number; headers: Headers; body: any }, type: string, message: RegExp) => {
      expect({ status: r.status, error: r.headers.get('x-road-error') }).toEqual({ status: statusOfFaultCode(type), error: type });
      expect(r.body).toEqual({ type, message: expect.stringMatching(message), detail: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      // An error answer has X-Road-Error and no other X-Road header (ClientRestMessageHandler); the emulator adds its ledger id.
      for (const h of ['x-road-id', 'x-road-client', 'x-road-service', 'x-road-request-id', 'x-road-request-hash']) expect(r.headers.get(h)).toBeNull();
      expect(r.headers.get('content-type')).toBe('application/json');
    };
    const rawPath = (path: string) => httpRawPath(s.url.lgsp, path, { 'X-Road-Client': HANOI, 'X-API-Key': keyOf(HANOI) });
    const lookup = () => `${POPULATION}/citizen-lookup`;
    const raw = (path: string, headers: Record<string, string> = {}) =>
      http('GET', `${s.url.lgsp}${path}`, { headers: { 'X-Road-Client': HANOI, 'X-API-Key': keyOf(HANOI), ...headers } });

    const cases: Array<[string, () => Promise<{ status: number; headers: Headers; body: any }>, string, RegExp]> = [
      [
        'no X-Road-Client header',
        () => http('GET', `${s.url.lgsp}/r1/${lookup()}/${citizen.personal_id}`, { headers: { 'X-API-Key': keyOf(HANOI) } }),
        FaultTypes.invalidClientIdentifier,
        /The client identifier is missing/,
      ],
      ['a malformed X-Road-Client', () => xroad(s, 'VN/GOV/H26/MOTCUA', lookup(), citizen.personal_id), FaultTypes.malformedRequest, /X-Road-Client: member code/],
      ['a method X-Road does not forward', () => xroad(s, HANOI, lookup(), citizen.personal_id, { method: 'PROPFIND' }), FaultTypes.malformedRequest, /RestRequest.Verb.PROPFIND/],
      ['no API key', () => xroad(s, HANOI, lookup(), citizen.personal_id, { key: null }), FaultTypes.sslAuthenticationFailed, /X-API-Key/],
      [
        'a key of another client',
        () => xroad(s, HANOI, lookup(), citizen.personal_id, { key: keyOf(HCMC) }),
        FaultTypes.sslAuthenticationFailed,
        /belongs to VN\/GOV\/000.00.00.H29\/MOTCUA/,
      ],
      ['a client this gateway does not host', () => xroad(s, 'VN/GOV/000.00.00.G24/MOTCUA', lookup(), citizen.personal_id), FaultTypes.unknownMember, /hosts no LGSP/],
      ['an unknown member', () => xroad(s, HANOI, 'VN/GOV/000.00.00.G03/CSDLGD/student-lookup', 'x'), FaultTypes.unknownMember, /VN\/GOV\/000.00.00.G03\/CSDLGD is not registered/],
      ['an unknown service', () => xroad(s, HANOI, `${POPULATION}/no-such-service`, 'x'), FaultTypes.unknownService, /no-such-service is not in the catalogue/],
      // A member-level client (3 parts) is a valid X-Road client, but not one the registry knows.
      [
        'a client not registered',
        () => xroad(s, 'VN/GOV/000.00.00.H26', lookup(), citizen.personal_id, { key: keyOf(HANOI) }),
        FaultTypes.unknownMember,
        /client subsystem VN\/GOV\/000.00.00.H26 is not registered/,
      ],
      ['access denied', () => ungrantedCall(), FaultTypes.accessDenied, /VN\/GOV\/000.00.00.H26\/NOGRANT has no access right/],
      [
        'a dot segment',
        () => rawPath(`/r1/${ENTERPRISE}/enterprise-lookup/../../../000.00.00.G01/CSDLQGDC/citizen-lookup/${citizen.personal_id}`),
        FaultTypes.malformedRequest,
        /dot segment/,
      ],
      ['an empty segment', () => raw(`/r1/VN/GOV//000.00.00.G01/CSDLQGDC/citizen-lookup`), FaultTypes.malformedRequest, /empty segment/],
      ['a malformed escape', () => raw(`/r1/${lookup()}/%zz`), FaultTypes.malformedRequest, /malformed percent-escape/],
      ['a bare /r1', () => raw('/r1'), FaultTypes.malformedRequest, /the path must be/],
      [
        'a malformed X-Road-Represented-Party',
        () => xroad(s, HANOI, lookup(), citizen.personal_id, { headers: { 'X-Road-Represented-Party': 'a/b/c' } }),
        FaultTypes.malformedRequest,
        /Invalid RepresentedParty Id/,
      ],
      [
        'another member’s X-Road-Security-Server',
        () => xroad(s, HANOI, lookup(), citizen.personal_id, { headers: { 'X-Road-Security-Server': 'VN/GOV/000.00.00.G05/SS1' } }),
        FaultTypes.invalidSecurityServer,
        /not a server of the provider/,
      ],
      [
        'a body over 1 MiB',
        () => xroad(s, HANOI, `${POPULATION}/citizen-verify`, '', { method: 'POST', raw: `{"x":"${'a'.repeat(1024 * 1024)}"}`, headers: { 'content-type': 'application/json' } }),
        FaultTypes.malformedRequest,
        /exceeds the limit of 1048576 bytes/,
      ],
    ];
    /** A registered client with a live key and no grant. */
    let ungranted: string | undefined;
    async function ungrantedCall() {
      const client = 'VN/GOV/000.00.00.H26/NOGRANT';
      if (!ungranted) {
        await admin(s, 'POST', `${s.url.registry}/admin/subsystems`, { subsystem: client, name: 'no grants', role: 'client' });
        ungranted = (await admin(s, 'POST', `${s.url.registry}/admin/credentials`, { client })).body.apiKey as string;
      }
      return waitUntil('the new client to be known, without a grant', async () => {
        const r = await xroad(s, client, lookup(), citizen.personal_id, { key: ungranted });
        return r.headers.get('x-road-error') === FaultTypes.accessDenied ? r : undefined; // until the registry's news reaches the gateway and the hub
      });
    }

    it.each(cases)('%s', async (_situation, send, type, message) => {
      expectFault(await send(), type, message);
    });

    it('a fault in XML when Accept asks for it', async () => {
      const r = await xroad(s, HANOI, `${POPULATION}/no-such-service`, 'x', { headers: { Accept: 'application/xml' } });
      expect(r.headers.get('content-type')).toBe('application/xml;charset=utf-8');
      expect(String(r.body)).toMatch(/<error><type>Server\.ServerProxy\.UnknownService<\/type><message>[^<]+<\/message><detail>[0-9a-f-]{36}<\/detail><\/error>/);
    });

    it('every refusal is in the ledger as rejected at its stage, with the code the client saw', async () => {
      const id = randomUUID();
      await raw(`/r1/${lookup()}/%zz`, { 'X-Road-Id': id });
      await projected(s);
      expect((await admin(s, 'GET', `${s.url.ndxp}/ledger?xRoadId=${id}`)).body.items[0]).toMatchObject({
        outcome: 'rejected',
        faultCode: FaultTypes.malformedRequest,
        rejectedAtStage: 'lgsp',
      });
    });
  });

  describe('access rights and credentials, live', () => {
    const client = 'VN/GOV/000.00.00.H26/HOTICH';
    const service = `${POPULATION}/citizen-lookup`;
    let key: string;

    it('a new client with a key is denied until granted; a grant and a revoke take effect within a second', async () => {
      expect((await admin(s, 'POST', `${s.url.registry}/admin/subsystems`, { subsystem: client, name: 'Hộ tịch (civil status)', role: 'client' })).status).toBe(201);
      const issued = await admin(s, 'POST', `${s.url.registry}/admin/credentials`, { client });
      expect(issued.status).toBe(201);
      key = issued.body.apiKey;
      expect(key).toMatch(/^ndxp_/);
      const call = () => xroad(s, client, service, citizen.personal_id, { key });

      const denied = await waitUntil(
        'the new key to be known',
        async () => {
          const r = await call();
          return r.headers.get('x-road-error') === FaultTypes.accessDenied ? r : undefined;
        },
        5000,
      );
      expect(denied.status).toBe(500);
      expect(denied.body.message).toMatch(/has no access right/);

      const granted = await admin(s, 'POST', `${s.url.registry}/admin/grants`, { client, service });
      expect(granted.status).toBe(201);
      const t0 = Date.now();
      await waitUntil('the grant to take effect', async () => (await call()).status === 200, 1000);
      const grantMs = Date.now() - t0;
      expect(grantMs).toBeLessThan(1000);

      expect((await admin(s, 'DELETE', `${s.url.registry}/admin/grants`, { client, service })).status).toBe(200);
      const t1 = Date.now();
      await waitUntil('the revoke to take effect', async () => (await call()).headers.get('x-road-error') === FaultTypes.accessDenied, 1000);
      expect(Date.now() - t1).toBeLessThan(1000);
    });

    it('a revoked key is refused within a second; the rotated key works', async () => {
      await admin(s, 'POST', `${s.url.registry}/admin/grants`, { client, service });
      await waitUntil('grant', async () => (await xroad(s, client, service, citizen.personal_id, { key })).status === 200, 2000);
      const rotated = await admin(s, 'POST', `${s.url.registry}/admin/credentials/rotate`, { client });
      expect(rotated.status).toBe(200);
      const t0 = Date.now();
      const refused = await waitUntil(
        'the old key to be revoked',
        async () => {
          const r = await xroad(s, client, service, citizen.personal_id, { key });
          return r.headers.get('x-road-error') === FaultTypes.sslAuthenticationFailed ? r : undefined;
        },
        1000,
      );
      expect(Date.now() - t0).toBeLessThan(1000);
      expect(refused.body.message).toMatch(/has been revoked/);
      expect((await xroad(s, client, service, citizen.personal_id, { key: rotated.body.apiKey })).status).toBe(200);
    });

    it('a connector key cannot use the admin API, and a stale write gets 409', async () => {
      const asConnector = await http('POST', `${s.url.registry}/admin/grants`, {
        headers: { authorization: `Bearer ${keyOf(HANOI)}` },
        body: { client: HANOI, service: 'VN/GOV/000.00.00.G05/CSDLQGDKDN/enterprise-lookup' },
      });
      expect(asConnector.status).toBe(401);
      expect(asConnector.body.code).toBe('ADMIN_TOKEN_REQUIRED');
      const stale = await admin(s, 'POST', `${s.url.registry}/admin/grants`, { client, service: `${ENTERPRISE}/enterprise-lookup`, expectedVersion: 0 });
      expect(stale.status).toBe(409);
      expect(stale.body).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/access-VN\/GOV\/000.00.00.H26\/HOTICH is at version \d+, not 0/) });
    });

    it('bad admin input names the field', async () => {
      const r = await admin(s, 'POST', `${s.url.registry}/admin/grants`, { client: 'not-a-client', service: `${POPULATION}/citizen-lookup` });
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ code: 'VALIDATION_FAILED', field: 'client', message: expect.stringMatching(/^client: must be a subsystem id/) });
    });
  });

  describe('faults switched on at run time', () => {
    afterEach(async () => {
      await admin(s, 'DELETE', `${s.url.providers}/admin/faults`);
    });

    it('an outage gives the network fault well within the deadline, and recovery after it', async () => {
      expect((await admin(s, 'PUT', `${s.url.providers}/admin/faults/population`, { outage: true })).status).toBe(200);
      const t0 = Date.now();
      const r = await xroad(s, HANOI, `${POPULATION}/citizen-lookup`, citizen.personal_id);
      expect(Date.now() - t0).toBeLessThan(1500);
      expect(r.status).toBe(500);
      expect(r.headers.get('x-road-error')).toBe(FaultTypes.networkError);
      expect((await xroad(s, HCMC, `${ENTERPRISE}/enterprise-lookup`, enterprise.code)).status).toBe(200);
      await admin(s, 'DELETE', `${s.url.providers}/admin/faults/population`);
      expect((await xroad(s, HANOI, `${POPULATION}/citizen-lookup`, citizen.personal_id)).status).toBe(200);
    });

    it('an injected error is the database’s own 500, passed through without X-Road-Error', async () => {
      await admin(s, 'PUT', `${s.url.providers}/admin/faults/enterprise`, { errorProbability: 1, errorKind: 'error' });
      const r = await xroad(s, HCMC, `${ENTERPRISE}/enterprise-lookup`, enterprise.code);
      expect(r.status).toBe(500);
      expect(r.headers.get('x-road-error')).toBeNull();
      expect(r.body).toMatchObject({ code: 'INTERNAL_ERROR', message: expect.stringMatching(/injected error/) });
    });

    it('added latency shows in the answer time', async () => {
      await admin(s, 'PUT', `${s.url.providers}/admin/faults/insurance`, { latencyMs: 400, jitterMs: 50 });
      const t0 = Date.now();
      const r = await xroad(s, HANOI, `${INSURANCE}/health-insurance-card`, insured.insurance_number);
      expect(r.status).toBe(200);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(350);
    });

    it('no answer gives IOError (a read timeout) at the deadline, a timeout in the ledger; a late answer is recorded but not delivered', async () => {
      await admin(s, 'PUT', `${s.url.providers}/admin/faults/population`, { latencyMs: 2500 });
      const id = randomUUID();
      const t0 = Date.now();
      const r = await xroad(s, HANOI, `${POPULATION}/citizen-lookup`, citizen.personal_id, { headers: { 'X-Road-Id': id } });
      const took = Date.now() - t0;
      expect(r.status).toBe(500);
      expect(r.headers.get('x-road-error')).toBe(FaultTypes.ioError);
      expect(took).toBeGreaterThanOrEqual(1400);
      expect(took).toBeLessThan(2400);
      const row = await waitUntil(
        'the late answer in the ledger',
        async () => {
          const l = await admin(s, 'GET', `${s.url.ndxp}/ledger?xRoadId=${id}`);
          return l.body.items[0]?.lateResponse ? l.body.items[0] : undefined;
        },
        5000,
      );
      expect(row).toMatchObject({ outcome: 'timeout', faultCode: FaultTypes.ioError, lateResponse: true });
    });
  });

  describe('poison messages', () => {
    it('a malformed message on any topic is skipped or answered with a fault; nothing crashes, the ledger moves on', async () => {
      const kafka = new Kafka({ clientId: 'poison', brokers: [`127.0.0.1:${s.env.KAFKA_PORT}`], logLevel: logLevel.NOTHING });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: 'ndxp.transactions', messages: [{ value: 'not json' }, { value: JSON.stringify({ type: 'TransactionRequested', transactionId: 'nope' }) }] });
      await producer.send({
        topic: 'ndxp.hub.requests',
        messages: [{ value: '{"transactionId":"x"}', headers: { 'ndxp-correlation-id': 'c1', 'ndxp-reply-to': 'ndxp.lgsp.replies.lgsp-1' } }],
      });
      await producer.send({
        topic: 'ndxp.provider.population.requests',
        messages: [{ value: '{"transactionId":"y"}', headers: { 'ndxp-correlation-id': 'c2', 'ndxp-reply-to': 'ndxp.hub.replies.ndxp-1' } }],
      });
      await producer.disconnect();
      await projected(s);
      const r = await xroad(s, HANOI, `${POPULATION}/citizen-lookup`, citizen.personal_id);
      expect(r.status).toBe(200);
      for (const url of [s.url.ndxp, s.url.providers, s.url.lgsp]) expect((await http('GET', `${url}/health`)).status).toBe(200);
    });

    it('an event from any producer that the ledger cannot store as sent is stored cleaned (a NUL) or skipped (out of range)', async () => {
      const [nul, huge, after] = [randomUUID(), randomUUID(), randomUUID()];
      const at = Date.now();
      const rejected = (transactionId: string, client: string, faultString: string) => ({
        type: 'TransactionRejected',
        eventId: `${transactionId}:TransactionRejected`,
        transactionId,
        at,
        xRoadId: transactionId,
        lgsp: '000.00.00.H26',
        client,
        service: `${POPULATION}/citizen-lookup`,
        provider: POPULATION,
        stage: 'lgsp',
        requestSize: 0,
        requestInAt: at,
        statusCode: 400,
        faultCode: 'Client.BadRequest',
        faultString,
      });
      // duration_ms is an int column: 2^40 ms is out of its range.
      const outOfRange = {
        type: 'TransactionAnswered',
        eventId: `${huge}:TransactionAnswered`,
        transactionId: huge,
        at,
        xRoadId: huge,
        lgsp: '000.00.00.H26',
        client: HANOI,
        service: `${POPULATION}/citizen-lookup`,
        provider: POPULATION,
        requestSize: 0,
        requestInAt: at,
        statusCode: 200,
        durationMs: 2 ** 40,
      };
      const kafka = new Kafka({ clientId: 'poison-nul', brokers: [`127.0.0.1:${s.env.KAFKA_PORT}`], logLevel: logLevel.NOTHING });
      const producer = kafka.producer();
      await producer.connect();
      // One partition, so the event after them shows that partition moved on.
      await producer.send({
        topic: 'ndxp.transactions',
        messages: [rejected(nul, `${HANOI}\u0000`, 'bad\u0000byte'), outOfRange, rejected(after, HANOI, 'fine')].map((e) => ({
          partition: 0,
          value: JSON.stringify(e),
        })),
      });
      await producer.disconnect();
      await projected(s);
      const one = async (id: string) => (await admin(s, 'GET', `${s.url.ndxp}/ledger/${id}`)).body;
      expect(await one(nul)).toMatchObject({ client: `${HANOI}\ufffd`, faultString: 'bad\ufffdbyte', outcome: 'rejected' });
      expect((await admin(s, 'GET', `${s.url.ndxp}/ledger/${huge}`)).status).toBe(404);
      expect(await one(after)).toMatchObject({ faultString: 'fine', outcome: 'rejected' });
      const metrics = (await http('GET', `${s.url.ndxp}/metrics`)).body as string;
      expect(metrics).toMatch(/ndxp_projection_skipped_events_total\{[^}]*reason="unstorable"[^}]*\} 1\b/);
    });
  });

  describe('idempotency and the record', () => {
    it('a reused X-Road-Id is forwarded again (X-Road caches nothing); an Idempotency-Key retry gets the first answer, linked in the ledger', async () => {
      const id = randomUUID();
      const first = await xroad(s, HANOI, `${POPULATION}/citizen-lookup`, citizen.personal_id, { headers: { 'X-Road-Id': id } });
      const again = await xroad(s, HANOI, `${POPULATION}/citizen-lookup`, '001199999999', { headers: { 'X-Road-Id': id } });
      expect([first.status, again.status]).toEqual([200, 404]);
      expect(again.headers.get('x-road-transaction-id')).not.toBe(first.headers.get('x-road-transaction-id'));

      const key = randomUUID();
      const once = await xroad(s, HANOI, `${POPULATION}/citizen-lookup`, citizen.personal_id, { headers: { 'Idempotency-Key': key } });
      const retry = await xroad(s, HANOI, `${POPULATION}/citizen-lookup`, citizen.personal_id, { headers: { 'Idempotency-Key': key } });
      expect(retry.body).toEqual(once.body);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      const misuse = await xroad(s, HANOI, `${POPULATION}/citizen-lookup`, '001199999999', { headers: { 'Idempotency-Key': key } });
      expect(misuse.status).toBe(422);
      await projected(s);
      expect((await admin(s, 'GET', `${s.url.ndxp}/ledger?xRoadId=${id}`)).body.total).toBe(2);
      const retryRow = (await admin(s, 'GET', `${s.url.ndxp}/ledger/${retry.headers.get('x-road-transaction-id')}`)).body;
      expect(retryRow).toMatchObject({ outcome: 'success', statusCode: 200 });
    });

    it('records every attempt in the ledger and the daily counters agree with it', async () => {
      await projected(s);
      const { rows } = await s.db.query('SELECT count(*)::int AS n, count(*) FILTER (WHERE outcome IS NULL)::int AS open FROM ndxp.transactions');
      const counters = await s.db.query('SELECT sum(count)::int AS n FROM ndxp.daily_counters');
      expect(rows[0].open).toBe(0);
      expect(counters.rows[0].n).toBe(rows[0].n);
      const stats = await admin(s, 'GET', `${s.url.ndxp}/statistics/daily`);
      expect(stats.body.total).toBe(rows[0].n);
      const rejected = await admin(s, 'GET', `${s.url.ndxp}/ledger?outcome=rejected&pageSize=1000`);
      const faults = new Set(rejected.body.items.map((i: { faultCode: string }) => i.faultCode));
      for (const f of [
        FaultTypes.malformedRequest,
        FaultTypes.invalidClientIdentifier,
        FaultTypes.sslAuthenticationFailed,
        FaultTypes.accessDenied,
        FaultTypes.unknownService,
        FaultTypes.unknownMember,
      ])
        expect(faults).toContain(f);
      const page2 = await admin(s, 'GET', `${s.url.ndxp}/ledger?pageSize=5&page=2`);
      expect(page2.body.items).toHaveLength(5);
      const bad = await admin(s, 'GET', `${s.url.ndxp}/ledger?from=yesterday`);
      expect(bad.status).toBe(400);
      expect(bad.body.field).toBe('from');
    });

    it('a rebuild from offset zero gives identical tables', async () => {
      await projected(s);
      const snapshot = async () => ({
        ledger: (await s.db.query('SELECT * FROM ndxp.transactions ORDER BY transaction_id')).rows,
        counters: (await s.db.query('SELECT * FROM ndxp.daily_counters ORDER BY day, lgsp, client, service, provider, outcome')).rows,
      });
      const before = await snapshot();
      expect(before.ledger.length).toBeGreaterThan(20);
      const r = await admin(s, 'POST', `${s.url.ndxp}/admin/projection/rebuild`);
      expect(r.status).toBe(200);
      expect(r.body.events).toBeGreaterThan(before.ledger.length);
      expect(await snapshot()).toEqual(before);
    });
  });
});
