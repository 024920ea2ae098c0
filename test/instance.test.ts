import { FaultTypes } from '@ndxp/contracts';
import { http, keyOf, startTestStack, TestStack } from './support/stack';

/**
 * The X-Road instance is a setting (issue #9 item 8): NDXP's public record names it `VN` and also `XROADVN`.
 * A stack started with XROAD_INSTANCE=XROADVN names every identifier so, end to end, and refuses the other.
 */
describe('a stack with another X-Road instance code', () => {
  let s: TestStack;
  let personalId: string;

  beforeAll(async () => {
    s = await startTestStack('instance', { XROAD_INSTANCE: 'XROADVN' });
    [{ personal_id: personalId }] = (await s.db.query('SELECT personal_id FROM national.citizens ORDER BY personal_id LIMIT 1')).rows;
  });

  afterAll(async () => {
    if (s) expect(await s.stop()).toBe(0);
  });

  const call = (client: string, service: string) => http('GET', `${s.url.lgsp}/r1/${service}/${personalId}`, { headers: { 'X-Road-Client': client, 'X-API-Key': keyOf(client) } });

  it('given XROAD_INSTANCE=XROADVN, when a seeded client calls a national database, then the call works and every identifier carries XROADVN', async () => {
    const r = await call('XROADVN/GOV/000.00.00.H26/MOTCUA', 'XROADVN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup');
    expect(r.status).toBe(200);
    expect(r.body.personalId).toBe(personalId);
    expect(r.headers.get('x-road-client')).toBe('XROADVN/GOV/000.00.00.H26/MOTCUA');
    expect(r.headers.get('x-road-service')).toBe('XROADVN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup');
    const clients = await http('GET', `${s.url.lgsp}/listClients`, { headers: { Accept: 'application/json' } });
    expect(new Set(clients.body.member.map((m: { id: { xroad_instance: string } }) => m.id.xroad_instance))).toEqual(new Set(['XROADVN']));
  });

  it('given XROAD_INSTANCE=XROADVN, when a client names the instance VN, then the malformed-request fault says which instance this is', async () => {
    const r = await call('VN/GOV/000.00.00.H26/MOTCUA', 'XROADVN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup');
    expect([r.status, r.headers.get('x-road-error')]).toEqual([500, FaultTypes.malformedRequest]);
    expect(r.body.message).toMatch(/instance "VN" must be XROADVN/);
  });
});
