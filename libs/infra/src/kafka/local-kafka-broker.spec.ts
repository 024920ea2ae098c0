import { serverProperties } from './local-kafka-broker';

const props = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

describe('the local broker settings', () => {
  const base = { port: 19092, controllerPort: 19093, dataDir: '/tmp/ndxp-kafka' };
  const sasl = { mechanism: 'scram-sha-512' as const, username: 'ndxp-apps', password: 'a-private-kafka-password' };

  it('given no SASL, when written, then plaintext listeners on loopback as before, and no SASL setting', () => {
    const p = props(serverProperties(base));
    expect(p.listeners).toBe('PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093');
    expect(p['listener.security.protocol.map']).toBe('PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT');
    expect(Object.keys(p).filter((k) => k.includes('sasl'))).toEqual([]);
  });

  it('given SASL, when written, then no listener takes a connection without a login: SCRAM for clients and the broker, PLAIN for the controller', () => {
    const p = props(serverProperties({ ...base, sasl, controllerSecret: 'c0ntr0ller-secret' }));
    expect(p.listeners).toBe('SASL_PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093');
    expect(p['advertised.listeners']).toBe('SASL_PLAINTEXT://127.0.0.1:19092');
    expect(p['listener.security.protocol.map']).toBe('SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT');
    expect(p['inter.broker.listener.name']).toBe('SASL_PLAINTEXT');
    expect(p['sasl.enabled.mechanisms']).toBe('SCRAM-SHA-512');
    expect(p['sasl.mechanism.inter.broker.protocol']).toBe('SCRAM-SHA-512');
    expect(p['listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config']).toBe(
      'org.apache.kafka.common.security.scram.ScramLoginModule required username="ndxp-apps" password="a-private-kafka-password";',
    );
    expect(p['sasl.mechanism.controller.protocol']).toBe('PLAIN');
    expect(p['listener.name.controller.sasl.enabled.mechanisms']).toBe('PLAIN');
    expect(p['listener.name.controller.plain.sasl.jaas.config']).toBe(
      'org.apache.kafka.common.security.plain.PlainLoginModule required username="controller" password="c0ntr0ller-secret" user_controller="c0ntr0ller-secret";',
    );
  });

  it('given SASL without a controller secret, when written twice, then each start makes its own', () => {
    const secret = (t: string) => /user_controller="([0-9a-f]+)"/.exec(t)![1];
    const [a, b] = [serverProperties({ ...base, sasl }), serverProperties({ ...base, sasl })];
    expect(secret(a)).toHaveLength(48);
    expect(secret(a)).not.toBe(secret(b));
  });
});
