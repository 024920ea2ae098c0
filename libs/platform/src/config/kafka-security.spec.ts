import { AppConfig, appConfigDefaults } from './app-config';
import { kafkaSecurityFrom } from './kafka-security';
import { ConfigError, loadConfig } from './load-config';

const load = (env: Record<string, string>) => loadConfig('ndxp', AppConfig, env, appConfigDefaults('ndxp') as never);

function problems(env: Record<string, string>): string[] {
  try {
    load(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('not refused');
}

describe('Kafka client security settings', () => {
  const sasl = { KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', KAFKA_SASL_USERNAME: 'ndxp-apps', KAFKA_SASL_PASSWORD: 'a-private-kafka-password' };

  it('given none, when loaded, then plaintext without authentication, as before', () => {
    expect(load({}).kafkaSecurity).toEqual({ ssl: false });
  });

  it('given all three SASL settings (the mechanism in any case) and KAFKA_SSL, when loaded, then the client gets them', () => {
    expect(load({ ...sasl, KAFKA_SSL: 'true' }).kafkaSecurity).toEqual({
      ssl: true,
      sasl: { mechanism: 'scram-sha-512', username: 'ndxp-apps', password: 'a-private-kafka-password' },
    });
  });

  it('given a username without a password, when loaded, then the app stops naming the password, never showing a value', () => {
    const p = problems({ KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'ndxp-apps' });
    expect(p).toEqual([expect.stringMatching(/^KAFKA_SASL_PASSWORD: must be set \(KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD go together\)/)]);
  });

  it('given a password alone, when loaded, then both the mechanism and the username are named, and the password is not shown', () => {
    const p = problems({ KAFKA_SASL_PASSWORD: 'a-private-kafka-password' });
    expect(p.map((x) => x.split(':')[0])).toEqual(['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME']);
    expect(p.join('\n')).not.toContain('a-private-kafka-password');
  });

  it('given an unknown mechanism or a bad KAFKA_SSL, when loaded, then each is named with what it takes', () => {
    const p = problems({ ...sasl, KAFKA_SASL_MECHANISM: 'plain', KAFKA_SSL: 'yes' });
    expect(p).toEqual([
      expect.stringMatching(/^KAFKA_SASL_MECHANISM: must be scram-sha-256 or scram-sha-512 .*\(got "plain"\)/),
      expect.stringMatching(/^KAFKA_SSL: must be true or false \(got "yes"\)/),
    ]);
  });

  it('given a bad password setting, when reported, then its length is shown, never its value', () => {
    // Any setting named *PASSWORD* is a secret to the messages, as tokens and keys are.
    const p = problems({ ...sasl, KAFKA_SASL_MECHANISM: 'md5' });
    expect(p.join('\n')).not.toContain(sasl.KAFKA_SASL_PASSWORD);
  });

  it('reads the same settings outside an app (the launcher, tools), with the same refusals', () => {
    expect(kafkaSecurityFrom({ ...sasl }).sasl?.mechanism).toBe('scram-sha-512');
    expect(() => kafkaSecurityFrom({ KAFKA_SASL_USERNAME: 'x' })).toThrow(/^launcher: invalid configuration[\s\S]*KAFKA_SASL_MECHANISM[\s\S]*KAFKA_SASL_PASSWORD/);
  });
});

describe('a DATABASE_URL with a password', () => {
  it('is taken, and a bad one is reported with its password masked', () => {
    expect(load({ DATABASE_URL: 'postgres://ndxp:s3cr%40t@db.internal:5432/ndxp' }).DATABASE_URL).toBe('postgres://ndxp:s3cr%40t@db.internal:5432/ndxp');
    const p = problems({ DATABASE_URL: 'postgres://ndxp:s3cret-pw@db.internal:5432/' });
    expect(p).toEqual([expect.stringMatching(/^DATABASE_URL: .*\(got "postgres:\/\/ndxp:\*\*\*@db\.internal:5432\/"\)/)]);
    expect(p.join('\n')).not.toContain('s3cret-pw');
  });
});
