import { DEFAULT_PLATFORM_SIGNING_KEY, lgspSigningSecret, signMessage, verifyMessage } from '@ndxp/contracts';
import { appConfigDefaults, ConfigError, loadConfig } from '@ndxp/platform';
import { LgspConfig, lgspDefaultsFor } from './lgsp.config';

const load = (env: Record<string, string>) => loadConfig('lgsp', LgspConfig, env, { ...appConfigDefaults('lgsp'), ...lgspDefaultsFor(env) } as never);
const problems = (env: Record<string, string>): string => {
  try {
    load(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  return '';
};

const PLATFORM = 'p'.repeat(40);
const HANOI = '000.00.00.H26';
const HCMC = '000.00.00.H29';
const keyOf = (code: string) => lgspSigningSecret(PLATFORM, code);
const env = { topic: 'ndxp.hub.requests', operation: 'exchange', correlationId: 'c', replyTo: 'r', deadline: '1' };

describe("the gateway's signing keys", () => {
  it('given nothing set, when loaded, then the platform key is the public development default and any LGSP can be signed for', () => {
    const c = load({});
    expect(c.PLATFORM_SIGNING_KEY).toBe(DEFAULT_PLATFORM_SIGNING_KEY);
    expect(c.lgspKeyring().lgsps).toBe('all');
  });

  it("given LGSP_SIGNING_KEYS for the LGSPs of LGSP_AGENCIES, when loaded, then no platform key is held, and each LGSP signs as the hub's derived key verifies", () => {
    const c = load({ LGSP_AGENCIES: `${HANOI},${HCMC}`, LGSP_SIGNING_KEYS: `${HANOI}=${keyOf(HANOI)},${HCMC}=${keyOf(HCMC)}` });
    expect(c.PLATFORM_SIGNING_KEY).toBeUndefined();
    const ring = c.lgspKeyring();
    expect(ring.lgsps).toEqual([HANOI, HCMC]);
    expect(ring.keyFor('000.00.00.H01')).toBeUndefined();
    const hub = load({ PLATFORM_SIGNING_KEY: PLATFORM }).lgspKeyring();
    expect(verifyMessage(hub.keyFor(HCMC)!, env, 'v', signMessage(ring.keyFor(HCMC)!, env, 'v'))).toBe('valid');
  });

  it.each([
    [{ LGSP_AGENCIES: HANOI, LGSP_SIGNING_KEYS: `${HANOI}=short` }, `the key of ${HANOI} must be at least 32 characters`],
    [{ LGSP_AGENCIES: HANOI, LGSP_SIGNING_KEYS: 'H26=x' }, 'entry 1 of 1 must start with an LGSP'],
    [{ LGSP_SIGNING_KEYS: `${HANOI}=${keyOf(HANOI)}` }, 'needs LGSP_AGENCIES to list the LGSPs this process hosts, not "all"'],
    [{ LGSP_AGENCIES: `${HANOI},${HCMC}`, LGSP_SIGNING_KEYS: `${HANOI}=${keyOf(HANOI)}` }, `lacks the key of ${HCMC}, which LGSP_AGENCIES lists`],
    [{ LGSP_AGENCIES: HANOI, LGSP_SIGNING_KEYS: `${HANOI}=${keyOf(HANOI)},${HCMC}=${keyOf(HCMC)}` }, `holds the key of ${HCMC}, which LGSP_AGENCIES does not list`],
    [{ LGSP_AGENCIES: HANOI, LGSP_SHARD: '1/2', LGSP_SIGNING_KEYS: `${HANOI}=${keyOf(HANOI)}` }, 'is not for a shard (LGSP_SHARD=1/2)'],
    [
      { LGSP_AGENCIES: HANOI, LGSP_SIGNING_KEYS: `${HANOI}=${keyOf(HANOI)}`, PLATFORM_SIGNING_KEY: PLATFORM },
      "is set with PLATFORM_SIGNING_KEY: a gateway given its LGSPs' keys must not hold the platform key",
    ],
  ])('given %j, when loaded, then the app stops naming LGSP_SIGNING_KEYS and why, never a key', (settings, reason) => {
    const msg = problems(settings);
    expect(msg).toContain(`LGSP_SIGNING_KEYS: ${reason}`);
    expect(msg).not.toContain(keyOf(HANOI));
    expect(msg).not.toContain(PLATFORM);
  });

  it('given a platform key too short, when loaded, then the app stops naming PLATFORM_SIGNING_KEY', () => {
    expect(problems({ PLATFORM_SIGNING_KEY: 'short' })).toMatch(/PLATFORM_SIGNING_KEY: must be at least 32 characters/);
  });
});
