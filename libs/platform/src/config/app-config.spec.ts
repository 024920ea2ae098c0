import { AppConfig, appConfigDefaults, IsSigningKey } from './app-config';
import { ConfigError, loadConfig } from './load-config';

describe('AppConfig', () => {
  const load = (env: Record<string, string>) => loadConfig('ndxp', AppConfig, env, appConfigDefaults('ndxp') as never);

  it('fills defaults and lets the environment win', () => {
    const c = load({ KAFKA_BROKERS: 'kafka:29092,k2:9092', PORT: '4000' });
    expect(c.PORT).toBe(4000);
    expect(c.kafkaBrokers).toEqual(['kafka:29092', 'k2:9092']);
    expect(c.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/ndxp');
  });

  it('names every bad setting and what it got', () => {
    let err: unknown;
    try {
      load({ PORT: 'eighty', KAFKA_BROKERS: 'localhost', DATABASE_URL: 'mysql://x/y' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/PORT: must be a port number 1-65535 \(got "eighty"\)/);
    expect(msg).toMatch(/KAFKA_BROKERS: must be a comma-separated list of host:port.*"localhost"/);
    expect(msg).toMatch(/DATABASE_URL: must be a PostgreSQL URL/);
    expect((err as ConfigError).problems).toHaveLength(3);
  });

  it('given a DATABASE_URL whose password holds a raw /, when refused, then the message shows the URL without the password', () => {
    expect(() => load({ DATABASE_URL: 'postgres://u:pa/ss@h/db' })).toThrow(/DATABASE_URL: must be a PostgreSQL URL.*\(got "postgres:\/\/\*\*\*@h\/db"\)/);
  });

  it('given the consumer fetch settings, when loaded, then they are numbers, and out of range each is named', () => {
    const c = load({ KAFKA_FETCH_MAX_WAIT_MS: '10', KAFKA_FETCH_MIN_BYTES: '65536' });
    expect([c.KAFKA_FETCH_MAX_WAIT_MS, c.KAFKA_FETCH_MIN_BYTES]).toEqual([10, 65536]);
    expect(() => load({ KAFKA_FETCH_MAX_WAIT_MS: '0', KAFKA_FETCH_MIN_BYTES: '0' })).toThrow(
      /KAFKA_FETCH_MAX_WAIT_MS: must be milliseconds, 1-500 \(got "0"\)[\s\S]*KAFKA_FETCH_MIN_BYTES: must be bytes, 1-1048576 \(got "0"\)/,
    );
  });

  it('rejects a port out of range', () => {
    expect(() => load({ PORT: '70000' })).toThrow(/PORT/);
  });
});

class Signed extends AppConfig {
  @IsSigningKey() PLATFORM_SIGNING_KEY!: string;
}

describe('a signing key setting', () => {
  const load = (key: string) => loadConfig('lgsp', Signed, { PLATFORM_SIGNING_KEY: key }, appConfigDefaults('lgsp') as never);

  it('given a key of 32 characters or more, when loaded, then it is kept', () => {
    expect(load('k'.repeat(32)).PLATFORM_SIGNING_KEY).toBe('k'.repeat(32));
  });

  it('given a short key or one with spaces, when loaded, then the error names the setting and the minimum, never the value', () => {
    for (const bad of ['short-but-secret', `${'k'.repeat(20)} ${'k'.repeat(20)}`]) {
      let err: unknown;
      try {
        load(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(new RegExp(`PLATFORM_SIGNING_KEY: must be at least 32 characters without spaces.*\\(got ${bad.length} characters\\)`));
      expect((err as Error).message).not.toContain(bad);
    }
  });
});
