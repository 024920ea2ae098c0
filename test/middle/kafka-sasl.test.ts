import { spawnSync } from 'child_process';
import { randomBytes, randomUUID } from 'crypto';
import { readFileSync, statSync, writeFileSync } from 'fs';
import { join } from 'path';
import { Kafka, logLevel } from 'kafkajs';
import { Registry } from 'prom-client';
import { cacheDir, checkJava, dropDatabase, ensureKafkaJars, InfraHandle, KAFKA_VERSION, LocalKafkaBroker, startInfra } from '@ndxp/infra';
import { AppConfig, brokerServes, createKafka, ensureTopics, KafkaSecurity, KafkaService, loadConfig } from '@ndxp/platform';
import { isolatedEnv } from '../support/env';
import { middleSettings } from './support';

// The launcher's broker with KAFKA_SASL_* set: SCRAM logins only on its client listener. The platform's own
// client (createKafka, with the settings as an app reads them) must get through; a wrong password must be
// refused at once, saying so; and the readiness probe must still tell a serving broker from a silent one.

const PASSWORD = randomBytes(16).toString('hex');
const SASL = { KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256', KAFKA_SASL_USERNAME: 'ndxp-apps', KAFKA_SASL_PASSWORD: PASSWORD };

describe('Kafka with SASL/SCRAM: the launched broker takes logins only, and the platform logs in', () => {
  let env: NodeJS.ProcessEnv;
  let infra: InfraHandle | undefined;
  let security: KafkaSecurity;
  const log: string[] = [];

  beforeAll(async () => {
    env = { ...(await isolatedEnv('kafka-sasl')), ...SASL };
    infra = await startInfra({ env, log: (l) => log.push(l) });
    // As an app reads its settings: the mechanism's case does not matter.
    security = loadConfig('ndxp', AppConfig, { ...middleSettings(infra, 'ndxp-sasl'), ...SASL }).kafkaSecurity;
  }, 120_000);

  afterAll(async () => {
    await infra?.stop();
    if (infra) await dropDatabase(infra.databaseUrl);
  });

  it('given the right credentials, when a client made by createKafka produces and consumes, then the message comes back', async () => {
    expect(log.join('\n')).toMatch(/KRaft, SASL\/SCRAM-SHA-256 logins only \(user ndxp-apps\)/);
    expect(security.sasl).toEqual({ mechanism: 'scram-sha-256', username: 'ndxp-apps', password: PASSWORD });
    const kafka = createKafka('sasl-test', infra!.kafkaBrokers.split(','), true, undefined, security);
    const topic = `sasl-test-${randomUUID()}`;
    const admin = kafka.admin();
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: `sasl-test-${randomUUID()}`, maxWaitTimeInMs: 100 });
    try {
      await admin.connect();
      await ensureTopics(admin, [{ topic }]);
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const received = new Promise<string>((resolve) => void consumer.run({ eachMessage: async ({ message }) => resolve(message.value!.toString()) }));
      await producer.connect();
      await producer.send({ topic, messages: [{ value: 'xin chào' }] });
      expect(await received).toBe('xin chào');
    } finally {
      await Promise.allSettled([consumer.disconnect(), producer.disconnect(), admin.disconnect()]);
    }
  });

  it('given the right credentials, when an app starts its Kafka connection, then it connects and reports Kafka up', async () => {
    const kafka = new KafkaService({ clientId: 'sasl-app', brokers: infra!.kafkaBrokers.split(','), security }, new Registry());
    try {
      await kafka.onModuleInit();
      expect(await kafka.health()).toMatchObject({ status: 'up', brokers: 1 });
    } finally {
      await kafka.onApplicationShutdown();
    }
  });

  it('given a wrong password, when a client connects, then the broker refuses it at once and the app says which settings to check', async () => {
    const wrong: KafkaSecurity = { sasl: { ...security.sasl!, password: 'not-the-password' } };
    const producer = createKafka('sasl-wrong', infra!.kafkaBrokers.split(','), true, undefined, wrong).producer();
    const t0 = Date.now();
    await expect(producer.connect()).rejects.toThrow(/SASL SCRAM SHA256 authentication failed.*invalid credentials/);
    expect(Date.now() - t0).toBeLessThan(5000); // not retried: a refused login is final
    const app = new KafkaService({ clientId: 'sasl-wrong-app', brokers: infra!.kafkaBrokers.split(','), security: wrong }, new Registry());
    try {
      await expect(app.onModuleInit()).rejects.toThrow(
        /refused the login of KAFKA_SASL_USERNAME=ndxp-apps \(scram-sha-256\).*Check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD/,
      );
    } finally {
      await app.onApplicationShutdown();
    }
  });

  it('given no credentials, when a plaintext client asks for anything, then it gets nothing', async () => {
    const anonymous = new Kafka({ clientId: 'sasl-anonymous', brokers: infra!.kafkaBrokers.split(','), logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
    // The broker closes a connection that asks for data before its SASL handshake.
    await expect(anonymous.connect().then(() => anonymous.listTopics())).rejects.toThrow(/Closed connection/);
    await anonymous.disconnect();
  });

  it('given the SASL listener, when the readiness probe asks, then it still answers (ApiVersions before a login)', async () => {
    expect(await brokerServes(infra!.kafkaBrokers.split(','), 2000)).toBe(true);
  });

  it("given no credentials, when an admin tool goes to the controller listener itself, then it cannot change the brokers' settings there either", async () => {
    // KRaft controllers serve admin requests to whoever reaches them (kafka-configs --bootstrap-controller):
    // without a login on that listener, anyone on the host could, say, set every topic's retention to 1 ms.
    const jars = await ensureKafkaJars(KAFKA_VERSION, cacheDir(env), () => undefined, env);
    const config = join(env.NDXP_RUN_DIR!, 'anonymous.properties');
    writeFileSync(config, 'request.timeout.ms=2000\ndefault.api.timeout.ms=4000\n');
    const args = ['--bootstrap-controller', `127.0.0.1:${env.KAFKA_CONTROLLER_PORT}`, '--command-config', config, '--alter', '--entity-type', 'brokers', '--entity-default'];
    const r = spawnSync(checkJava(env).command, ['-cp', `${jars.libsDir}/*`, 'kafka.admin.ConfigCommand', ...args, '--add-config', 'log.retention.ms=1'], {
      env,
      encoding: 'utf8',
    });
    expect(r.status).not.toBe(0);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/Completed updating/);
  });

  it("keeps the password out of the broker's log and its settings file to this user", () => {
    const dir = join(env.NDXP_RUN_DIR!, 'kafka');
    expect(statSync(join(dir, 'server.properties')).mode & 0o077).toBe(0);
    expect(readFileSync(join(dir, 'logs', 'server.log'), 'utf8')).not.toContain(PASSWORD);
  });

  it('given the data formatted for this user, when the broker starts again with another password, then it refuses before starting, saying what to do', async () => {
    await infra!.stop();
    const broker = new LocalKafkaBroker({
      version: infra!.plan.kafka.mode === 'local' ? infra!.plan.kafka.version : '',
      port: Number(env.KAFKA_PORT),
      controllerPort: Number(env.KAFKA_CONTROLLER_PORT),
      heap: '256m',
      dir: join(env.NDXP_RUN_DIR!, 'kafka'),
      cacheDir: cacheDir(env),
      log: () => undefined,
      env,
      sasl: { ...security.sasl!, password: 'another-password' },
    });
    await expect(broker.start()).rejects.toThrow(/formatted for another KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD.*--fresh/);
    expect(broker.pid).toBeUndefined();
  });
});
