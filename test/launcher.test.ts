import { randomUUID } from 'crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { dropDatabase, InfraHandle, isAlive, portAnswers, startInfra } from '@ndxp/infra';
import { ensureTopics } from '@ndxp/platform';
import { isolatedEnv } from './support/env';

describe('launcher: Kafka and PostgreSQL from nothing', () => {
  let env: NodeJS.ProcessEnv;
  let infra: InfraHandle | undefined;
  const lines: string[] = [];

  beforeAll(async () => {
    env = await isolatedEnv('launcher');
    // An empty jar cache: the first start resolves the jars with Maven, as on a fresh machine.
    env.NDXP_CACHE_DIR = `${env.NDXP_RUN_DIR}/cache`;
    await dropDatabase(`postgres://postgres@127.0.0.1:5432/${env.NDXP_DATABASE}`);
  });

  afterAll(async () => {
    await infra?.stop();
    await dropDatabase(`postgres://postgres@127.0.0.1:5432/${env.NDXP_DATABASE}`);
  });

  it('starts with no broker running, round-trips a message, writes and reads Postgres, and stops leaving no process', async () => {
    const kafkaPort = Number(env.KAFKA_PORT);
    expect(await portAnswers(kafkaPort)).toBe(false);

    infra = await startInfra({ env, log: (l) => lines.push(l) });
    expect(infra.plan.kafka.mode).toBe('local');
    expect(infra.kafkaBrokers).toBe(`127.0.0.1:${kafkaPort}`);
    expect(lines.join('\n')).toContain(`PostgreSQL: database ${env.NDXP_DATABASE} created`);
    expect(lines.join('\n')).toMatch(/Kafka 3\.9\.\d+ jars: \d+ jars resolved in [\d.]+ s, cached in .*\/cache\//);
    const brokerPid = infra.kafkaPid!;
    expect(isAlive(brokerPid)).toBe(true);

    // A message through the real broker, with a client of our own.
    const kafka = new Kafka({ clientId: 'launcher-test', brokers: infra.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const topic = `launcher-test-${randomUUID()}`;
    await ensureTopics(admin, [{ topic, numPartitions: 3 }]);
    await admin.disconnect();
    const consumer = kafka.consumer({ groupId: `g-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: string[] = [];
    const all = new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message }) => {
            received.push(message.value!.toString());
            if (received.length === 3) resolve();
          },
        })
        .catch(reject); // run() failing fails the test now, not at its timeout
    });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: ['a', 'b', 'c'].map((value) => ({ key: value, value })) });
    await all;
    await Promise.all([producer.disconnect(), consumer.disconnect()]);
    expect(received.sort()).toEqual(['a', 'b', 'c']);

    // Postgres: the launcher created the database; write and read a row.
    const pg = new Client({ connectionString: infra.databaseUrl });
    await pg.connect();
    await pg.query('CREATE TABLE probe (id int PRIMARY KEY, note text)');
    await pg.query(`INSERT INTO probe VALUES (1, 'xin chào')`);
    const { rows } = await pg.query('SELECT note FROM probe WHERE id = 1');
    await pg.end();
    expect(rows).toEqual([{ note: 'xin chào' }]);

    await infra.stop();
    infra = undefined;
    expect(isAlive(brokerPid)).toBe(false);
    expect(await portAnswers(kafkaPort)).toBe(false);
    expect(await portAnswers(Number(env.KAFKA_CONTROLLER_PORT))).toBe(false);
  });

  it('reuses the cached jars on the second start', async () => {
    lines.length = 0;
    infra = await startInfra({ env, log: (l) => lines.push(l) });
    expect(lines.join('\n')).toMatch(/jars: reusing \d+ cached jars/);
    expect(lines.join('\n')).toContain(`database ${env.NDXP_DATABASE} ready`);
    const pid = infra.kafkaPid!;
    await infra.stop();
    infra = undefined;
    expect(isAlive(pid)).toBe(false);
  });
});
