import { LgspKeyring, parseLgspSigningKeys, signMessage, verifyMessage } from '@ndxp/contracts';
import { lgspKeysCommand, lgspKeysSettings } from './lgsp-keys';

const PLATFORM = 'p'.repeat(40);

describe('ndxp lgsp-keys', () => {
  it("given LGSP codes, then a gateway's LGSP_AGENCIES and LGSP_SIGNING_KEYS, keys the hub's derivation verifies", () => {
    const [agencies, keys] = lgspKeysSettings(PLATFORM, ['000.00.00.H26', '000.00.00.H29', '000.00.00.H26']);
    expect(agencies).toBe('LGSP_AGENCIES=000.00.00.H26,000.00.00.H29');
    const parsed = parseLgspSigningKeys(keys.replace(/^LGSP_SIGNING_KEYS=/, ''));
    if (!parsed.ok) throw new Error(parsed.reason);
    expect([...parsed.keys.keys()]).toEqual(['000.00.00.H26', '000.00.00.H29']);
    const env = { topic: 'ndxp.hub.requests' };
    const hub = LgspKeyring.derivedFrom(PLATFORM);
    const gateway = LgspKeyring.of(parsed.keys);
    expect(verifyMessage(hub.keyFor('000.00.00.H29')!, env, 'v', signMessage(gateway.keyFor('000.00.00.H29')!, env, 'v'))).toBe('valid');
  });

  it.each([
    [[], /needs the LGSPs' agency codes/],
    [['H26'], /H26: not agency codes/],
  ])('given %j, then refused with the reason', (codes, reason) => {
    expect(() => lgspKeysSettings(PLATFORM, codes)).toThrow(reason);
  });

  it('given a platform key too short, then refused', () => {
    expect(() => lgspKeysSettings('short', ['000.00.00.H26'])).toThrow(/at least 32/);
  });

  it.each([{}, { PLATFORM_SIGNING_KEY: '' }])('given no PLATFORM_SIGNING_KEY (%j), then refused naming it, and no key printed (none derived from the public default)', (env) => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(() => lgspKeysCommand(['000.00.00.H26'], env)).toThrow(/PLATFORM_SIGNING_KEY is not set/);
      expect(write).not.toHaveBeenCalled();
    } finally {
      write.mockRestore();
    }
  });

  it("given PLATFORM_SIGNING_KEY, then the gateway's settings printed", () => {
    const lines: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((s) => (lines.push(String(s)), true));
    try {
      lgspKeysCommand(['000.00.00.H26'], { PLATFORM_SIGNING_KEY: PLATFORM });
    } finally {
      write.mockRestore();
    }
    expect(lines).toEqual(lgspKeysSettings(PLATFORM, ['000.00.00.H26']).map((l) => `${l}\n`));
  });
});
