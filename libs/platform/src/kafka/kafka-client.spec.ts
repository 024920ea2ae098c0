import { createServer, Server, Socket } from 'net';
import { portAnswers } from '../net/port-answers';
import { logLevel } from 'kafkajs';
import { brokerServes, consumerDefaultsOf, createKafka, kafkaAuth, kafkaLogLevel } from './kafka-client';

// A port that accepts connections and never answers: what a Kafka broker restarted after a crash looks like
// while its controller still holds the dead incarnation's registration. (A serving broker: test/chaos.test.ts.)
describe('broker readiness probes', () => {
  let silent: Server;
  let port: number;
  const open = new Set<Socket>();
  beforeAll(async () => {
    silent = createServer((socket) => {
      open.add(socket);
      socket.resume(); // read and drop what comes: a socket nobody reads never sees the client's end
      socket.on('close', () => open.delete(socket));
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    port = (silent.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => silent.close(() => r())));

  it('given a port that accepts but does not serve, when probed, then the TCP knock says yes and brokerServes says no within its bound', async () => {
    const brokers = [`127.0.0.1:${port}`];
    expect(await portAnswers(port, '127.0.0.1', 300)).toBe(true);
    const t0 = Date.now();
    expect(await brokerServes(brokers, 300)).toBe(false);
    expect(Date.now() - t0).toBeLessThan(2000);
    for (let i = 0; i < 20 && open.size > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(open.size).toBe(0); // the probes close what they opened
  });

  it('given a closed port, when probed, then no, at once', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const p = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    expect(await brokerServes([`127.0.0.1:${p}`], 300)).toBe(false);
  });
});

describe('kafkajs security options', () => {
  it('given no security, when a client is made, then plaintext without SASL, as before', () => {
    expect(kafkaAuth()).toEqual({});
    expect(kafkaAuth({ ssl: false })).toEqual({});
  });

  it('given SASL/SCRAM and TLS, when a client is made, then kafkajs gets both, and the reconnect probe speaks TLS', () => {
    const sasl = { mechanism: 'scram-sha-512' as const, username: 'ndxp-apps', password: 'a-private-kafka-password' };
    expect(kafkaAuth({ ssl: true, sasl })).toEqual({ ssl: true, sasl });
    const kafka = createKafka('spec', ['127.0.0.1:1'], true, undefined, { ssl: true, sasl });
    expect(consumerDefaultsOf(kafka)).toMatchObject({ brokers: ['127.0.0.1:1'], ssl: true });
  });
});

describe('kafkajs log lines', () => {
  it('given the broker loading its coordinator as a new producer starts, when logged, then at debug (kafkajs retries it); other errors stay errors', () => {
    const loading = "The coordinator is loading and hence can't process requests for this group";
    expect(kafkaLogLevel(logLevel.ERROR, 'Response InitProducerId(key: 22, version: 1)', loading)).toBe('debug');
    expect(kafkaLogLevel(logLevel.ERROR, 'Response InitProducerId(key: 22, version: 1)', 'Not authorized')).toBe('error');
    expect(kafkaLogLevel(logLevel.ERROR, 'Connection error: connect ECONNREFUSED')).toBe('error');
    expect(kafkaLogLevel(logLevel.WARN, 'Limiting retries for the idempotent producer may invalidate EoS guarantees')).toBe('debug');
    expect(kafkaLogLevel(logLevel.WARN, 'Response without match')).toBe('warn');
  });
});
