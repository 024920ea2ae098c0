import { connect } from 'net';
import { FaultTypes, MAX_REQUEST_BYTES } from '@ndxp/contracts';
import { DEFAULT_ADMIN_TOKEN } from '@ndxp/platform';
import { admin, Answer, HANOI, HCMC, http, httpRawPath, keyOf, POPULATION, projected, startTestStack, TestStack, waitUntil, xroad } from './support/stack';

// Issue #13 items 3 and 7 against the running stack (two gateway processes): registry changes made
// concurrently reach every gateway, and input a client can send is refused with a clear error or recorded
// safely, without stopping the record. Default secrets outside development mode are refused at start:
// test/app-config.test.ts covers that, not repeated here.

const ROUNDS = 3;
const KEYS = 40;

/** Bytes written as they are to the port, for what fetch will not send (a NUL in a header, raw bytes in a path). */
function rawRequest(port: number, head: Buffer): Promise<{ status: number; headers: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error('no answer in 10 s')), 10_000);
    socket.on('connect', () => socket.end(head));
    socket.on('data', (c: Buffer) => chunks.push(c));
    // The server may reset the connection right after its answer (a head it refuses is not read to the end).
    socket.on('error', (e) => (chunks.length === 0 ? reject(e) : undefined));
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), headers: text.slice(0, text.indexOf('\r\n\r\n')).toLowerCase() });
    });
  });
}

/** A clear refusal: the client's fault (4xx), or the platform's with its X-Road-Error; never a bare 500. */
function expectClearError(r: { status: number; headers: Headers }, what: string): void {
  const clear = (r.status >= 400 && r.status < 500) || (r.status >= 500 && r.headers.get('x-road-error') !== null);
  if (!clear) throw new Error(`${what}: answered ${r.status} without X-Road-Error`);
}

describe('security: ordered registry changes on every gateway, and input that cannot stop the record', () => {
  let s: TestStack;
  let gateways: string[];

  beforeAll(async () => {
    s = await startTestStack('security', { LGSP_PROCESSES: '2' });
    const second = s.output.map((l) => /lgsp-2: healthy on (http:\/\/127\.0\.0\.1:\d+)/.exec(l)?.[1]).find(Boolean);
    if (!second) throw new Error('the second gateway did not say where it listens');
    gateways = [s.url.lgsp, second];
    // The LGSPs are sharded between the two gateways: the probes go through the one that hosts Hà Nội.
    const hosts = async (g: string) => ((await http('GET', `${g}/lgsps`)).body.items as Array<{ code: string }>).some((i) => HANOI.includes(i.code));
    s.url.lgsp = (await hosts(gateways[0])) ? gateways[0] : gateways[1];
  });

  afterAll(async () => {
    if (s) expect(await s.stop()).toBe(0);
  });

  /** The adapter form without X-Road-Client: every gateway checks the key against its own registry view before anything else. */
  const callWith = (gateway: string, key: string): Promise<Answer> =>
    http('GET', `${gateway}/XrdAdapter/RestService/forward/citizen-lookup/001030000483?dstcode=VN:GOV:000.00.00.G01:CSDLQGDC`, { headers: { 'X-API-Key': key } });
  const refusedAsRevoked = (r: Answer) => r.status === 500 && r.headers.get('x-road-error') === FaultTypes.sslAuthenticationFailed && /has been revoked/.test(r.body?.message);

  it(`${KEYS} keys revoked by ${KEYS} concurrent admin calls, ${ROUNDS} times: every key refused on every gateway within 2 s`, async () => {
    const listed = await http('GET', `${s.url.lgsp}/listClients`, { headers: { Accept: 'application/json' } });
    const clients = (listed.body.member as Array<{ id: { member_code: string; subsystem_code?: string; object_type: string } }>)
      .filter((m) => m.id.object_type === 'SUBSYSTEM' && m.id.subsystem_code === 'MOTCUA')
      .map((m) => `VN/GOV/${m.id.member_code}/MOTCUA`)
      .slice(0, KEYS);
    expect(clients).toHaveLength(KEYS); // one stream each: no write waits for another's version
    for (let round = 1; round <= ROUNDS; round++) {
      const issued = await Promise.all(clients.map((client) => admin(s, 'POST', `${s.url.registry}/admin/credentials`, { client })));
      expect(issued.map((r) => r.status)).toEqual(clients.map(() => 201));
      const keys = issued.map((r, i) => ({ client: clients[i], keyId: r.body.keyId as string, apiKey: r.body.apiKey as string }));
      await waitUntil(
        `round ${round}: the new keys known on every gateway`,
        async () =>
          (await Promise.all(gateways.flatMap((g) => keys.map((k) => callWith(g, k.apiKey))))).every((r) => r.headers.get('x-road-error') !== FaultTypes.sslAuthenticationFailed),
        10_000,
        100,
      );

      const revoked = await Promise.all(keys.map((k) => admin(s, 'POST', `${s.url.registry}/admin/credentials/revoke`, { client: k.client, keyId: k.keyId })));
      expect(revoked.map((r) => r.status)).toEqual(keys.map(() => 200));
      const t0 = Date.now();
      let live: string[] = [];
      try {
        await waitUntil(
          `round ${round}: every revoked key refused on every gateway`,
          async () => {
            const answers = await Promise.all(gateways.flatMap((g) => keys.map(async (k) => ({ g, k, r: await callWith(g, k.apiKey) }))));
            live = answers.filter((a) => !refusedAsRevoked(a.r)).map((a) => `${a.k.client}/${a.k.keyId} on ${a.g} (${a.r.status} ${a.r.headers.get('x-road-error')})`);
            return live.length === 0;
          },
          2000,
          100,
        );
      } catch (e) {
        throw new Error(`round ${round}: ${live.length} revoked key(s) still accepted after ${Date.now() - t0} ms: ${live.slice(0, 5).join('; ')}`, { cause: e });
      }
    }
  });

  describe('probes (#13 item 7): what a client sees', () => {
    const lgspPort = () => Number(new URL(s.url.lgsp).port);
    const keyHeaders = () => `X-Road-Client: ${HANOI}\r\nX-API-Key: ${keyOf(HANOI)}\r\n`;

    it('a NUL in the path (%00): a clear error, and the ledger records it', async () => {
      const r = await httpRawPath(s.url.lgsp, `/r1/${POPULATION}/citizen-lookup/a%00b`, { 'X-Road-Client': HANOI, 'X-API-Key': keyOf(HANOI) });
      // The security server's refusal of a request it cannot parse (README fault table), not a bare 500.
      expect([r.status, r.headers.get('x-road-error')]).toEqual([500, FaultTypes.malformedRequest]);
      expect(r.body.message).toMatch(/NUL character/);
    });

    it('a NUL byte in a header: 400 from the HTTP server, before any app code', async () => {
      const head = Buffer.from(
        `GET /r1/${POPULATION}/citizen-lookup/001030000483 HTTP/1.1\r\nHost: x\r\n${keyHeaders()}X-Road-UserId: a\u0000b\r\nConnection: close\r\n\r\n`,
        'latin1',
      );
      expect((await rawRequest(lgspPort(), head)).status).toBe(400);
    });

    it('invalid UTF-8 in the path, raw and percent-encoded: a clear error', async () => {
      const raw = Buffer.concat([
        Buffer.from(`GET /r1/${POPULATION}/citizen-lookup/`),
        Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
        Buffer.from(` HTTP/1.1\r\nHost: x\r\n${keyHeaders()}Connection: close\r\n\r\n`),
      ]);
      const answer = await rawRequest(lgspPort(), raw);
      const h = new Headers();
      if (answer.headers.includes('x-road-error:')) h.set('x-road-error', 'set');
      expectClearError({ status: answer.status, headers: h }, 'raw bytes');
      expectClearError(await httpRawPath(s.url.lgsp, `/r1/${POPULATION}/citizen-lookup/%ff%fe%c3%28`, { 'X-Road-Client': HANOI, 'X-API-Key': keyOf(HANOI) }), 'percent-encoded');
    });

    it('a NUL and invalid UTF-8 in a body: the provider answers (its own 400 or a result), the platform does not fail', async () => {
      for (const raw of [Buffer.from('{"personalId":"001030000483","fullName":"a\u0000b"}'), Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])]) {
        const r = await xroad(s, HANOI, `${POPULATION}/citizen-verify`, '', { method: 'POST', raw, headers: { 'content-type': 'application/json' } });
        expect(r.status).toBeLessThan(500);
        expect(r.headers.get('x-road-error')).toBeNull();
      }
    });

    it('a head larger than the server takes: 431', async () => {
      const head = Buffer.from(
        `GET /r1/${POPULATION}/citizen-lookup/001030000483 HTTP/1.1\r\nHost: x\r\n${keyHeaders()}X-Junk: ${'a'.repeat(70_000)}\r\nConnection: close\r\n\r\n`,
      );
      expect((await rawRequest(lgspPort(), head)).status).toBe(431);
    });

    it("a 100 000-deep JSON body to a provider service: the provider's own 400, the gateway unaffected", async () => {
      const raw = `{"personalId":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
      const r = await xroad(s, HANOI, `${POPULATION}/citizen-verify`, '', { method: 'POST', raw, headers: { 'content-type': 'application/json' } });
      expect(r.status).toBe(400);
      expect(r.headers.get('x-road-error')).toBeNull();
      expect((await http('GET', `${s.url.lgsp}/health`)).status).toBe(200);
    });

    it('a body over 1 MiB: refused at the gateway with X-Road-Error, naming the limit', async () => {
      const r = await xroad(s, HANOI, `${POPULATION}/citizen-verify`, '', {
        method: 'POST',
        raw: Buffer.alloc(MAX_REQUEST_BYTES + 1, 0x20),
        headers: { 'content-type': 'application/json' },
      });
      expect(r.headers.get('x-road-error')).toBe(FaultTypes.malformedRequest);
      expect(JSON.stringify(r.body)).toMatch(/exceeds the limit of 1048576 bytes/);
    });

    it('the ledger: 401 without a credential; another tenant’s row is 404 to a client key', async () => {
      expect((await http('GET', `${s.url.ndxp}/ledger`)).status).toBe(401);
      const call = await xroad(s, HANOI, `${POPULATION}/citizen-lookup`, '001030000483');
      expect(call.status).toBe(200);
      const id = call.headers.get('x-road-transaction-id');
      expect(id).toBeTruthy();
      await projected(s);
      expect((await http('GET', `${s.url.ndxp}/ledger/${id}`, { headers: { 'x-api-key': keyOf(HCMC) } })).status).toBe(404);
      expect((await http('GET', `${s.url.ndxp}/ledger/${id}`, { headers: { 'x-api-key': keyOf(HANOI) } })).status).toBe(200);
    });

    it('the registry admin API: a NUL in a field, or a deeply nested body, is a 400 naming the field, never a 500', async () => {
      const nul = await admin(s, 'POST', `${s.url.registry}/admin/subsystems`, { subsystem: 'VN/GOV/000.00.00.H26/SECNUL', name: 'a\u0000b', role: 'client' });
      expect(nul.status).toBe(400);
      expect(nul.body).toMatchObject({ code: 'VALIDATION_FAILED', field: 'name', message: expect.stringMatching(/NUL/) });
      const deep = `{"subsystem":"VN/GOV/000.00.00.H26/SECDEEP","role":"client","name":${'['.repeat(30_000)}${']'.repeat(30_000)}}`;
      const nested = await http('POST', `${s.url.registry}/admin/subsystems`, {
        raw: deep,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${DEFAULT_ADMIN_TOKEN}` },
      });
      expect(nested.status).toBe(400);
      expect(nested.body).toMatchObject({ code: 'VALIDATION_FAILED', field: expect.stringMatching(/^name/) });
      const deeper = `{"name":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
      const tooLarge = await http('POST', `${s.url.registry}/admin/subsystems`, {
        raw: deeper,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${DEFAULT_ADMIN_TOKEN}` },
      });
      expect([400, 413]).toContain(tooLarge.status);
    });

    it('after the probes: the ledger is caught up, every app is healthy, a normal call works', async () => {
      await projected(s);
      for (const url of [s.url.registry, s.url.ndxp, s.url.providers, ...gateways])
        expect({ url, status: (await http('GET', `${url}/health`)).status }).toEqual({ url, status: 200 });
      const r = await xroad(s, HANOI, `${POPULATION}/citizen-lookup`, '001030000483');
      expect(r.status).toBe(200);
      expect(r.body.personalId).toBe('001030000483');
    });
  });
});
