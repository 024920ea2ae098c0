import { appConfigDefaults, ConfigError, loadConfig, refuseDefaultSecrets, secretsOf } from '@ndxp/platform';
import { NdxpConfig, ndxpDefaults } from './ndxp.config';

const load = (env: Record<string, string>) => loadConfig('ndxp', NdxpConfig, env, { ...appConfigDefaults('ndxp'), ...ndxpDefaults } as never);
const problems = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  return '';
};

describe("the hub's signing keys", () => {
  it('given nothing set on a laptop, when loaded, then the two public development keys are used, and they differ', () => {
    const c = load({});
    expect(c.PLATFORM_SIGNING_KEY).toBe(ndxpDefaults.PLATFORM_SIGNING_KEY);
    expect(c.PROVIDER_SIGNING_KEY).toBe(ndxpDefaults.PROVIDER_SIGNING_KEY);
    expect(c.PLATFORM_SIGNING_KEY).not.toBe(c.PROVIDER_SIGNING_KEY);
  });

  it('given the provider key equal to the platform key, when loaded, then it is refused, naming both', () => {
    const key = 'x'.repeat(40);
    expect(problems(() => load({ PLATFORM_SIGNING_KEY: key, PROVIDER_SIGNING_KEY: key }))).toMatch(/PROVIDER_SIGNING_KEY: must differ from PLATFORM_SIGNING_KEY/);
  });

  it('given the development keys outside development mode, when checked, then each is refused by name', () => {
    const c = load({ HOST: '0.0.0.0', ADMIN_TOKEN: 'a-private-admin-token' });
    const msg = problems(() => refuseDefaultSecrets('ndxp', c as never, 'production', secretsOf(ndxpDefaults)));
    expect(msg).toMatch(/PLATFORM_SIGNING_KEY: is the public development default/);
    expect(msg).toMatch(/PROVIDER_SIGNING_KEY: is the public development default/);
    const privately = load({ HOST: '0.0.0.0', ADMIN_TOKEN: 'a-private-admin-token', PLATFORM_SIGNING_KEY: 'p'.repeat(40), PROVIDER_SIGNING_KEY: 'q'.repeat(40) });
    expect(problems(() => refuseDefaultSecrets('ndxp', privately as never, 'production', secretsOf(ndxpDefaults)))).toBe('');
  });
});

describe("the ledger's retention", () => {
  it('given nothing set, when loaded, then everything is kept; given 13, then 13 months', () => {
    expect(load({}).LEDGER_RETENTION_MONTHS ?? 0).toBe(0);
    expect(load({ LEDGER_RETENTION_MONTHS: '13' }).LEDGER_RETENTION_MONTHS).toBe(13);
    expect(load({ LEDGER_RETENTION_MONTHS: '0' }).LEDGER_RETENTION_MONTHS).toBe(0);
  });

  it('given a retention that is not a whole number of months, when loaded, then refused by name', () => {
    for (const bad of ['-1', '1.5', 'a year', '5000'])
      expect(problems(() => load({ LEDGER_RETENTION_MONTHS: bad }))).toMatch(/LEDGER_RETENTION_MONTHS: must be a whole number of months/);
  });
});
