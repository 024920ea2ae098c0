import { AppConfig, appConfigDefaults } from './app-config';
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

  it('rejects a port out of range', () => {
    expect(() => load({ PORT: '70000' })).toThrow(/PORT/);
  });
});
