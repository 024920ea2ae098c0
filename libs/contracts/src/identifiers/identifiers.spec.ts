import {
  enterpriseCheckDigit,
  formatPersonalId,
  parentAgencyCode,
  parseAgencyCode,
  parseDecision20,
  parseEnterpriseCode,
  parseInsuranceKey,
  parsePersonalId,
  parseServiceKey,
  parseSubsystemId,
  personalIdContradictions,
  PROVINCES,
  toDecision20,
} from '.';

describe('agency codes', () => {
  it.each([
    ['000.00.00.G14', 1, 'G14'],
    ['000.00.18.G12', 2, 'G12.18'],
    ['000.01.18.G12', 3, 'G12.18.01'],
    ['000.00.00.H26', 1, 'H26'],
  ])('parses %s (level %d, Decision 20 form %s)', (code, level, d20) => {
    const r = parseAgencyCode(code);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.level).toBe(level);
    expect(toDecision20(r.value)).toBe(d20);
    expect(parseDecision20(d20).ok).toBe(true);
  });

  it('knows the parent of a lower-level unit', () => {
    const r = parseAgencyCode('000.00.18.G12');
    expect(r.ok && parentAgencyCode(r.value)).toBe('000.00.00.G12');
  });

  it.each(['G14', '000.00.00.Z14', '00.00.00.G14', '000.00.00.G1', '000.01.00.G12', '', '000.00.00.g14'])('rejects %j with a reason', (code) => {
    const r = parseAgencyCode(code);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/agency code|parent/);
  });

  it('every province LGSP code is a valid level-1 H code', () => {
    expect(PROVINCES).toHaveLength(63);
    for (const p of PROVINCES) expect(parseAgencyCode(p.lgspAgencyCode)).toMatchObject({ ok: true, value: { level: 1 } });
  });
});

describe('enterprise codes', () => {
  it.each(['0100233488', '0106001236', '0100233488-001', '0100233488001'])('accepts %s', (c) => {
    expect(parseEnterpriseCode(c).ok).toBe(true);
  });

  it('normalises a branch code with a dash', () => {
    expect(parseEnterpriseCode('0100233488001')).toEqual({
      ok: true,
      value: { code: '0100233488', branch: '001', normalized: '0100233488-001' },
    });
  });

  it.each([
    ['0100233487', /check digit/],
    ['010023348', /10 digits/],
    ['0100000000', /cannot all be zero/],
    ['0100233488-000', /not a branch/],
    ['01002334a8', /10 digits/],
  ])('rejects %s', (c, why) => {
    const r = parseEnterpriseCode(c);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(why);
  });

  it('computes the check digit, and none for a prefix whose sum is a multiple of 11', () => {
    expect(enterpriseCheckDigit('010023348')).toBe(8);
    let impossible = 0;
    for (let n = 100000000; n < 100000200; n++) if (enterpriseCheckDigit(String(n).padStart(9, '0')) === undefined) impossible++;
    expect(impossible).toBeGreaterThan(0);
  });
});

describe('personal identification numbers', () => {
  it('reads province, sex and birth year', () => {
    expect(parsePersonalId('001095012345')).toEqual({
      ok: true,
      value: { value: '001095012345', provinceCode: '001', sex: 'male', birthYear: 1995 },
    });
    expect(parsePersonalId('079305000001')).toMatchObject({ ok: true, value: { sex: 'female', birthYear: 2005 } });
  });

  it.each([
    ['00109501234', /12 digits/],
    ['003095012345', /003 is not a province code/],
    ['001495012345', /century\/sex digit 4/],
    ['00109501234x', /12 digits/],
  ])('rejects %s', (id, why) => {
    const r = parsePersonalId(id);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(why);
  });

  it('round-trips through formatPersonalId and finds contradictions with a record', () => {
    const id = formatPersonalId('079', 2003, 'female', 42);
    expect(id).toBe('079303000042');
    const p = parsePersonalId(id);
    if (!p.ok) throw new Error(p.reason);
    expect(personalIdContradictions(p.value, { birthYear: 2003, sex: 'female' })).toEqual([]);
    expect(personalIdContradictions(p.value, { birthYear: 1903, sex: 'male' })).toHaveLength(2);
  });
});

describe('insurance keys', () => {
  it('accepts a 10-digit insurance number or a valid personal ID', () => {
    expect(parseInsuranceKey('0123456789')).toEqual({ ok: true, value: { kind: 'insurance-number', value: '0123456789' } });
    expect(parseInsuranceKey('001095012345')).toMatchObject({ ok: true, value: { kind: 'personal-id' } });
    expect(parseInsuranceKey('003095012345').ok).toBe(false);
    expect(parseInsuranceKey('12345').ok).toBe(false);
  });
});

describe('X-Road identifiers', () => {
  it('parses a GOV subsystem in both separators', () => {
    const expected = { instance: 'VN', memberClass: 'GOV', memberCode: '000.00.00.G22', subsystemCode: 'vpcpdvcprovider' };
    expect(parseSubsystemId('VN/GOV/000.00.00.G22/vpcpdvcprovider')).toEqual({ ok: true, value: expected });
    expect(parseSubsystemId('VN:GOV:000.00.00.G22:vpcpdvcprovider', ':')).toEqual({ ok: true, value: expected });
  });

  it('parses a COM member by its enterprise code', () => {
    expect(parseSubsystemId('VN/COM/0106001236/NganLuongPaymentSvc').ok).toBe(true);
    expect(parseSubsystemId('VN/COM/0106001235/X')).toMatchObject({ ok: false, reason: /check digit/ });
  });

  it.each([
    ['XX/GOV/000.00.00.G22/a', /instance/],
    ['VN/EDU/000.00.00.G22/a', /member class/],
    ['VN/GOV/G22/a', /member code/],
    ['VN/GOV/000.00.00.G22', /4 parts/],
    ['VN/GOV/000.00.00.G22/bad subsystem', /subsystem code/],
  ])('rejects %s', (id, why) => {
    expect(parseSubsystemId(id)).toMatchObject({ ok: false, reason: expect.stringMatching(why) });
  });

  it('parses a service key', () => {
    expect(parseServiceKey('VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup')).toMatchObject({
      ok: true,
      value: { memberCode: '000.00.00.G01', serviceCode: 'citizen-lookup' },
    });
  });
});
