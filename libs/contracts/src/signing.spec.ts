import { createHmac } from 'crypto';
import {
  DEFAULT_PLATFORM_SIGNING_KEY,
  DEFAULT_PROVIDER_SIGNING_KEY,
  LgspKeyring,
  lgspSigningSecret,
  MIN_SIGNING_KEY_LENGTH,
  parseLgspSigningKeys,
  SignedEnvelope,
  signingKey,
  signMessage,
  verifyMessage,
} from './signing';

const key = signingKey('k'.repeat(MIN_SIGNING_KEY_LENGTH));
const env: SignedEnvelope = { topic: 'ndxp.hub.requests', operation: 'exchange', correlationId: 'c-1', replyTo: 'ndxp.lgsp.replies.lgsp-1', deadline: '1700000000000' };
const value = JSON.stringify({ transactionId: 't-1', lgsp: '000.00.00.H26', client: 'VN/GOV/000.00.00.H26/MOTCUA', body: 'eyJhIjoxfQ==' });

describe('signMessage and verifyMessage', () => {
  it('given a message signed with the key, when verified with the same key, then it is valid (string and its UTF-8 bytes alike)', () => {
    const sig = signMessage(key, env, value);
    expect(sig).toMatch(/^v1=[A-Za-z0-9_-]{43}$/);
    expect(verifyMessage(key, env, value, sig)).toBe('valid');
    expect(verifyMessage(key, env, Buffer.from(value, 'utf8'), sig)).toBe('valid');
    expect(signMessage(key, env, 'Hộ tịch')).toBe(signMessage(key, env, Buffer.from('Hộ tịch', 'utf8')));
  });

  it('given no signature, when verified, then it is missing', () => {
    expect(verifyMessage(key, env, value, undefined)).toBe('missing');
    expect(verifyMessage(key, env, value, '')).toBe('missing');
  });

  it('given a signature made with another key, when verified, then it is invalid', () => {
    const other = signingKey('o'.repeat(MIN_SIGNING_KEY_LENGTH));
    expect(verifyMessage(key, env, value, signMessage(other, env, value))).toBe('invalid');
  });

  it('given a signed message, when its value or any signed header changes, then it is invalid', () => {
    const sig = signMessage(key, env, value);
    expect(verifyMessage(key, env, value.replace('H26', 'H29'), sig)).toBe('invalid');
    expect(verifyMessage(key, env, value + ' ', sig)).toBe('invalid');
    for (const field of ['topic', 'operation', 'correlationId', 'replyTo', 'deadline'] as const)
      expect({ field, check: verifyMessage(key, { ...env, [field]: `${env[field]}x` }, value, sig) }).toEqual({ field, check: 'invalid' });
  });

  it('given a signature made for the hub topic, when checked on a provider topic with the same key, then it is invalid (links do not mix)', () => {
    const sig = signMessage(key, env, value);
    expect(verifyMessage(key, { ...env, topic: 'ndxp.provider.population.requests' }, value, sig)).toBe('invalid');
  });

  it('given header fields that would join alike, when signed, then the signatures differ (the envelope is unambiguous)', () => {
    const a = signMessage(key, { topic: 't', operation: 'a', correlationId: 'b' }, value);
    const b = signMessage(key, { topic: 't', operation: 'a","b', correlationId: '' }, value);
    expect(a).not.toBe(b);
  });

  it('given an empty or absent value, when signed and verified, then both verify alike', () => {
    const sig = signMessage(key, env, null);
    expect(verifyMessage(key, env, undefined, sig)).toBe('valid');
    expect(verifyMessage(key, env, Buffer.alloc(0), sig)).toBe('valid');
  });

  it('given junk in the header, when verified, then it is invalid and nothing throws', () => {
    const sig = signMessage(key, env, value);
    for (const junk of ['v1=', 'v2=' + sig.slice(3), sig.slice(0, -1), sig + 'A', 'v1=' + '!'.repeat(43), 'v1=' + 'A'.repeat(42) + '\u0000', '\u0000'.repeat(200)])
      expect(verifyMessage(key, env, value, junk)).toBe('invalid');
  });

  it('given a key shorter than the minimum, when built, then it is refused with the minimum named', () => {
    expect(() => signingKey('short')).toThrow(`at least ${MIN_SIGNING_KEY_LENGTH} characters`);
    expect(() => signingKey(DEFAULT_PLATFORM_SIGNING_KEY)).not.toThrow();
    expect(() => signingKey(DEFAULT_PROVIDER_SIGNING_KEY)).not.toThrow();
  });

  it('given a 1 KiB request, when signed and verified many times, then each takes a few microseconds (printed: ops/s)', () => {
    const body = Buffer.from(JSON.stringify({ ...JSON.parse(value), headers: { a: 'x'.repeat(700) } }), 'utf8');
    const n = 20_000;
    const sig = signMessage(key, env, body);
    let t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) signMessage(key, env, body);
    const signOps = n / (Number(process.hrtime.bigint() - t) / 1e9);
    t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) verifyMessage(key, env, body, sig);
    const verifyOps = n / (Number(process.hrtime.bigint() - t) / 1e9);
    process.stdout.write(`HMAC-SHA256 over ${body.length} B: sign ${Math.round(signOps)} ops/s, verify ${Math.round(verifyOps)} ops/s\n`);
    // The hot path runs about 1000 requests a second; even a loaded CI machine does far more than that.
    expect(signOps).toBeGreaterThan(10_000);
    expect(verifyOps).toBeGreaterThan(10_000);
  });
});

describe("per-LGSP keys on the gateways' link", () => {
  const platform = 'p'.repeat(40);
  const HANOI = '000.00.00.H26';
  const HCMC = '000.00.00.H29';

  it('given the platform key, when an LGSP secret is derived, then it is HMAC-SHA256(platform key, "lgsp:" + code) in hex, the same each time, one per LGSP', () => {
    expect(lgspSigningSecret(platform, HANOI)).toBe(createHmac('sha256', platform).update(`lgsp:${HANOI}`).digest('hex'));
    expect(lgspSigningSecret(platform, HANOI)).toMatch(/^[0-9a-f]{64}$/);
    expect(lgspSigningSecret(platform, HANOI)).toBe(lgspSigningSecret(platform, HANOI));
    expect(lgspSigningSecret(platform, HANOI)).not.toBe(lgspSigningSecret(platform, HCMC));
    expect(lgspSigningSecret(platform, HANOI)).not.toBe(lgspSigningSecret('q'.repeat(40), HANOI));
    expect(() => lgspSigningSecret('short', HANOI)).toThrow(`at least ${MIN_SIGNING_KEY_LENGTH} characters`);
  });

  it("given a request signed with one LGSP's key, when verified with the key of the LGSP it names, then valid only if they are the same LGSP", () => {
    const ring = LgspKeyring.derivedFrom(platform);
    const sig = signMessage(ring.keyFor(HCMC)!, env, value);
    expect(verifyMessage(ring.keyFor(HCMC)!, env, value, sig)).toBe('valid');
    expect(verifyMessage(ring.keyFor(HANOI)!, env, value, sig)).toBe('invalid');
    // the platform key itself signs for no LGSP
    expect(verifyMessage(ring.keyFor(HANOI)!, env, value, signMessage(signingKey(platform), env, value))).toBe('invalid');
  });

  it('given keys given one by one (LGSP_SIGNING_KEYS), when asked, then those LGSPs only; they verify as the derived ones', () => {
    const given = LgspKeyring.of(new Map([[HANOI, lgspSigningSecret(platform, HANOI)]]));
    expect(given.lgsps).toEqual([HANOI]);
    expect(given.keyFor(HCMC)).toBeUndefined();
    const sig = signMessage(given.keyFor(HANOI)!, env, value);
    expect(verifyMessage(LgspKeyring.derivedFrom(platform).keyFor(HANOI)!, env, value, sig)).toBe('valid');
  });

  it('given a code that is no agency code, or no string, when a key is asked for, then none (and nothing throws)', () => {
    const ring = LgspKeyring.derivedFrom(platform);
    expect(ring.lgsps).toBe('all');
    for (const junk of ['', 'H26', '000.00.00.h26', 42, undefined, null, { lgsp: HANOI }]) expect(ring.keyFor(junk)).toBeUndefined();
    expect(() => LgspKeyring.derivedFrom('short')).toThrow(/at least/);
  });

  it('given LGSP_SIGNING_KEYS, when read, then each code to its key; a bad entry is refused with its place, never its secret', () => {
    const k1 = 'a'.repeat(MIN_SIGNING_KEY_LENGTH);
    const k2 = 'b='.repeat(MIN_SIGNING_KEY_LENGTH);
    expect(parseLgspSigningKeys(`${HANOI}=${k1}, ${HCMC}=${k2}`)).toEqual({
      ok: true,
      keys: new Map([
        [HANOI, k1],
        [HCMC, k2],
      ]),
    });
    const reason = (text: string) => {
      const r = parseLgspSigningKeys(text);
      return r.ok ? 'accepted' : r.reason;
    };
    expect(reason(`${HANOI}=short-secret`)).toBe(`the key of ${HANOI} must be at least ${MIN_SIGNING_KEY_LENGTH} characters without spaces (got 12)`);
    expect(reason(`${HANOI}=${k1},${HANOI}=${k1}`)).toBe(`${HANOI} is given twice`);
    expect(reason(`H26=${k1}`)).toMatch(/^entry 1 of 1 must start with an LGSP's agency code/);
    expect(reason(`${HANOI}=${k1},`)).toMatch(/^entry 2 of 2/);
    expect(reason(`${HANOI}`)).toMatch(/must be at least/);
    expect(reason(`${HANOI}=${'x'.repeat(20)} ${'y'.repeat(20)}`)).toMatch(/without spaces/);
    expect(reason(`${HANOI}=short-secret`)).not.toContain('short-secret');
  });
});
