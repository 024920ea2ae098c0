import { replicationFor, serverProperties } from './local-kafka-broker';

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

  it('given one broker, when written, then node 1 alone in its quorum and one copy of everything, as before clusters', () => {
    const p = props(serverProperties(base));
    expect(p['node.id']).toBe('1');
    expect(p['controller.quorum.voters']).toBe('1@127.0.0.1:19093');
    for (const k of [
      'default.replication.factor',
      'offsets.topic.replication.factor',
      'transaction.state.log.replication.factor',
      'min.insync.replicas',
      'transaction.state.log.min.isr',
    ])
      expect(p[k]).toBe('1');
  });

  it('given node 2 of a three-broker cluster, when written, then its own id, the shared quorum, three copies of every topic and two needed for acks=all', () => {
    const voters = '1@127.0.0.1:19093,2@127.0.0.1:19095,3@127.0.0.1:19097';
    const p = props(serverProperties({ port: 19094, controllerPort: 19095, dataDir: '/tmp/b2', nodeId: 2, voters, replication: replicationFor(3) }));
    expect(p['node.id']).toBe('2');
    expect(p['controller.quorum.voters']).toBe(voters);
    expect(p.listeners).toBe('PLAINTEXT://127.0.0.1:19094,CONTROLLER://127.0.0.1:19095');
    expect(p['advertised.listeners']).toBe('PLAINTEXT://127.0.0.1:19094');
    expect(p['default.replication.factor']).toBe('3');
    expect(p['offsets.topic.replication.factor']).toBe('3');
    expect(p['transaction.state.log.replication.factor']).toBe('3');
    expect(p['share.coordinator.state.topic.replication.factor']).toBe('3');
    expect(p['min.insync.replicas']).toBe('2');
    expect(p['transaction.state.log.min.isr']).toBe('2');
  });

  it('given SASL in a cluster, when two nodes are written with the cluster secret, then each controller accepts the login the others make', () => {
    const secret = (t: string) => [/ password="([0-9a-z-]+)" user/.exec(t)![1], /user_controller="([0-9a-z-]+)"/.exec(t)![1]];
    const node = (nodeId: number) => serverProperties({ ...base, sasl, nodeId, voters: '1@x:1,2@x:2', replication: replicationFor(2), controllerSecret: 'the-cluster-secret' });
    expect([...secret(node(1)), ...secret(node(2))]).toEqual(Array(4).fill('the-cluster-secret'));
  });

  it.each([
    [1, { factor: 1, minInsync: 1 }],
    [2, { factor: 2, minInsync: 1 }],
    [3, { factor: 3, minInsync: 2 }],
    [5, { factor: 3, minInsync: 2 }],
  ])('given %i broker(s), then replication %j: one broker may fail without losing an acknowledged write once there are three', (n, r) => {
    expect(replicationFor(n)).toEqual(r);
  });
});
