import { emptyRegistryView, FaultTypes } from '@ndxp/contracts';
import { decideOrigin, mayAnswerUnauthenticated, namedLgsp, signatureRefusal } from './origin';

const HANOI = '000.00.00.H26';
const HCMC = '000.00.00.H29';
const MPS = '000.00.00.G01';

function registry() {
  const s = emptyRegistryView();
  s.agencies.set(HANOI, { nameVi: 'Hà Nội', nameEn: 'Ha Noi', hasLgsp: true, codeConfirmed: true });
  s.agencies.set(HCMC, { nameVi: 'TP. Hồ Chí Minh', nameEn: 'Ho Chi Minh City', hasLgsp: true, codeConfirmed: true });
  s.agencies.set(MPS, { nameVi: 'Bộ Công an', nameEn: 'Ministry of Public Security', hasLgsp: false, codeConfirmed: true });
  return s;
}

describe('decideOrigin: does a request come from the LGSP it names', () => {
  it('given a signed request whose client is a member of the LGSP named, when decided, then it is trusted (subsystem or member-level client)', () => {
    expect(decideOrigin(registry(), { lgsp: HANOI, client: `VN/GOV/${HANOI}/MOTCUA` }, 'valid')).toEqual({ trusted: true });
    expect(decideOrigin(registry(), { lgsp: HANOI, client: `VN/GOV/${HANOI}` }, 'valid')).toEqual({ trusted: true });
  });

  it('given an unsigned request, when decided, then it is refused as MissingSignature whatever it claims', () => {
    const d = decideOrigin(registry(), { lgsp: HANOI, client: `VN/GOV/${HANOI}/MOTCUA` }, 'missing');
    expect(d).toMatchObject({ trusted: false, reason: 'unsigned', fault: { type: FaultTypes.missingSignature, status: 500 } });
  });

  it("given a request whose signature does not verify with the key of the LGSP it names (another LGSP's key, another key, altered), when decided, then InvalidSignatureValue naming that LGSP", () => {
    const d = decideOrigin(registry(), { lgsp: HANOI, client: `VN/GOV/${HANOI}/MOTCUA` }, 'invalid');
    expect(d).toMatchObject({ trusted: false, reason: 'bad-signature', fault: { type: FaultTypes.invalidSignature, status: 500 } });
    expect(d.trusted || d.fault.message).toMatch(new RegExp(`does not verify with the key of LGSP ${HANOI.replace(/\./g, '\\.')}, which the request names.*PLATFORM_SIGNING_KEY`));
  });

  it('given a signed request whose lgsp field is no agency code, when decided, then InvalidSignatureValue saying no LGSP is named (the field not quoted)', () => {
    for (const lgsp of ['junk', '', 42, undefined, 'x'.repeat(500)]) {
      const d = decideOrigin(registry(), { lgsp, client: `VN/GOV/${HANOI}/MOTCUA` }, 'invalid');
      expect(d.trusted || d.fault.message).toBe('the request to the hub names no LGSP (its lgsp field is no agency code), whose key could verify its signature');
    }
    expect(namedLgsp({ lgsp: HANOI })).toBe(HANOI);
    for (const body of [null, undefined, 'text', { lgsp: 'H26' }, { lgsp: 7 }]) expect(namedLgsp(body)).toBeUndefined();
    expect(signatureRefusal('missing', HANOI).fault.message).toMatch(/not signed.*PLATFORM_SIGNING_KEY/);
  });

  it('given a signed request whose client belongs to another LGSP, when decided, then it is refused as SslAuthenticationFailed naming both', () => {
    const d = decideOrigin(registry(), { lgsp: HANOI, client: `VN/GOV/${HCMC}/MOTCUA` }, 'valid');
    expect(d).toMatchObject({ trusted: false, reason: 'wrong-lgsp', fault: { type: FaultTypes.originNotAuthenticated, status: 500 } });
    expect(d.trusted || d.fault.message).toBe(`client VN/GOV/${HCMC}/MOTCUA is not a member of LGSP ${HANOI}, which sent the request`);
  });

  it('given a signed request naming an agency without an LGSP, or an unknown one, when decided, then it is refused as SslAuthenticationFailed', () => {
    for (const lgsp of [MPS, '000.00.00.H99', '', undefined, 42]) {
      const d = decideOrigin(registry(), { lgsp, client: `VN/GOV/${String(lgsp)}/MOTCUA` }, 'valid');
      expect({ lgsp, d }).toMatchObject({ lgsp, d: { trusted: false, reason: 'not-an-lgsp', fault: { type: FaultTypes.originNotAuthenticated } } });
    }
  });

  it('given a signed request with a client that is no identifier, when decided, then it is refused, never thrown', () => {
    for (const client of [undefined, 7, '', 'junk', `VN/GOV`])
      expect(decideOrigin(registry(), { lgsp: HANOI, client }, 'valid')).toMatchObject({ trusted: false, reason: 'wrong-lgsp' });
  });

  it('given an unauthenticated request, when the hub would answer, then only on an LGSP reply topic', () => {
    expect(mayAnswerUnauthenticated('ndxp.lgsp.replies.lgsp-1')).toBe(true);
    for (const topic of ['ndxp.registry.events', 'ndxp.transactions', 'ndxp.hub.requests', 'ndxp.provider.population.requests', 'x.ndxp.lgsp.replies.a'])
      expect(mayAnswerUnauthenticated(topic)).toBe(false);
  });
});
