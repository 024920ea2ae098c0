import { DEFAULT_SEED_SECRET } from '@ndxp/contracts';
import { AppConfig, appConfigDefaults, secretsOf } from './app-config';
import { ConfigError, loadConfig } from './load-config';
import { DEFAULT_ADMIN_TOKEN, DEV_MODE_MARK, developmentMode, developmentWarning, isLoopback, publicSecretsIn, refuseDefaultSecrets, stackDevelopmentWarning } from './secrets';

const refusal = (f: () => void): ConfigError => {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('not refused');
};

describe('development mode', () => {
  it('is a loopback bind without NODE_ENV=production', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(isLoopback(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', '127.0.0.1.example.org']) expect(isLoopback(host)).toBe(false);
    expect(developmentMode('127.0.0.1', undefined).development).toBe(true);
    expect(developmentMode('127.0.0.1', 'test').development).toBe(true);
  });

  it('ends with any non-loopback bind, or NODE_ENV=production, and says which', () => {
    expect(developmentMode('0.0.0.0', undefined)).toEqual({ development: false, reason: 'HOST=0.0.0.0 is not a loopback address' });
    expect(developmentMode('127.0.0.1', 'production')).toEqual({ development: false, reason: 'NODE_ENV=production' });
  });
});

describe('public default secrets', () => {
  const registry = (env: Record<string, string>) =>
    loadConfig('registry', AppConfig, env, { ...appConfigDefaults('registry'), REGISTRY_SEED_SECRET: DEFAULT_SEED_SECRET } as never) as unknown as Record<string, unknown> & {
      HOST: string;
    };
  const names = secretsOf({ REGISTRY_SEED_SECRET: DEFAULT_SEED_SECRET });

  it('are allowed in development mode', () => {
    expect(() => refuseDefaultSecrets('registry', registry({}), undefined, names)).not.toThrow();
  });

  it('are refused on a non-loopback bind, naming each variable, what it guards and what to do', () => {
    const e = refusal(() => refuseDefaultSecrets('registry', registry({ HOST: '0.0.0.0' }), undefined, names));
    expect(e.problems).toHaveLength(2);
    expect(e.problems[0]).toMatch(/^ADMIN_TOKEN: is the public development default, refused outside development mode \(HOST=0\.0\.0\.0 is not a loopback address\)/);
    expect(e.problems[0]).toMatch(/Set a private value, e\.g\. ADMIN_TOKEN=\$\(openssl rand -hex 24\)/);
    expect(e.problems[1]).toMatch(/^REGISTRY_SEED_SECRET: .*seeded API keys/);
    expect(e.message).toMatch(/^registry: invalid configuration/);
  });

  it('are refused with NODE_ENV=production even on loopback, and a private value passes', () => {
    const e = refusal(() => refuseDefaultSecrets('ndxp', registry({ ADMIN_TOKEN: 'a-private-admin-token' }), 'production', names));
    expect(e.problems.map((p) => p.split(':')[0])).toEqual(['REGISTRY_SEED_SECRET']);
    expect(() => refuseDefaultSecrets('ndxp', registry({ ADMIN_TOKEN: 'a-private-admin-token', REGISTRY_SEED_SECRET: 'a-private-seed' }), 'production', names)).not.toThrow();
  });

  it('covers a scoped admin token set to the admin default, and only the secrets the app reads', () => {
    const config = registry({ ADMIN_TOKEN: 'a-private-admin-token', FAULTS_ADMIN_TOKEN: DEFAULT_ADMIN_TOKEN });
    expect(publicSecretsIn(config, secretsOf({}))).toEqual(['FAULTS_ADMIN_TOKEN']); // an app without the seed secret
    expect(secretsOf({ REGISTRY_SEED_SECRET: 'x', LGSP_AGENCIES: 'all' })).toEqual(['ADMIN_TOKEN', 'FAULTS_ADMIN_TOKEN', 'PROJECTION_ADMIN_TOKEN', 'REGISTRY_SEED_SECRET']);
  });
});

describe('the development-mode warning', () => {
  it('names the public secrets in one loud line, and is absent without any', () => {
    const w = developmentWarning(['ADMIN_TOKEN', 'REGISTRY_SEED_SECRET'])!;
    expect(w.startsWith(DEV_MODE_MARK)).toBe(true);
    expect(w).toMatch(/ADMIN_TOKEN, REGISTRY_SEED_SECRET are their public default/);
    expect(developmentWarning([])).toBeUndefined();
  });

  it("for a launcher's stack: the apps' defaults count, the environment wins, and outside development mode the apps refuse instead", () => {
    const privately = { ADMIN_TOKEN: 'a-private-admin-token', REGISTRY_SEED_SECRET: 'a-private-seed' };
    const keys = { PLATFORM_SIGNING_KEY: 'a-private-platform-key-of-32-characters', PROVIDER_SIGNING_KEY: 'a-private-provider-key-of-32-characters' };
    expect(stackDevelopmentWarning({})).toMatch(/ADMIN_TOKEN, REGISTRY_SEED_SECRET, PLATFORM_SIGNING_KEY, PROVIDER_SIGNING_KEY are/);
    expect(stackDevelopmentWarning({ ADMIN_TOKEN: 'a-private-admin-token', ...keys })).toMatch(/REGISTRY_SEED_SECRET is its public default/);
    expect(stackDevelopmentWarning({ ...privately, PROVIDER_SIGNING_KEY: keys.PROVIDER_SIGNING_KEY })).toMatch(/PLATFORM_SIGNING_KEY is its public default.*poses as any LGSP/);
    expect(stackDevelopmentWarning({ ...privately, ...keys })).toBeUndefined();
    expect(stackDevelopmentWarning({ HOST: '0.0.0.0' })).toBeUndefined();
  });
});
