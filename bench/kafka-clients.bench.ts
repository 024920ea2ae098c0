import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Consumer as PlatformaticConsumer, Producer as PlatformaticProducer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { Kafka } from 'kafkajs';
import { Registry } from 'prom-client';
import { freePort, InfraHandle, portAnswers, startInfra } from '@ndxp/infra';
import { createKafka, createTopics, KafkaService } from '@ndxp/platform';

/**
 * Issue #8 asks which Kafka client the platform should keep. This measures the candidates that install from
 * the npm registry alone, on one local broker, one after another in the same run:
 *   - throughput: MESSAGES records of 256 bytes, idempotent, acks=all, sent 500 a request, one request at a
 *     time (as the platform's BatchingProducer sends); then read back from the start by a consumer group;
 *   - recovery: one record every 20 ms, the broker killed (SIGKILL) and started again 10 s later on the same
 *     data: how long after the broker accepts connections the first record is acknowledged, and the first
 *     record sent after that is consumed.
 * kafkajs is measured bare (the library's settings as createKafka gives them) and as the platform uses it
 * (KafkaService: BatchingProducer, its broker probe and producer renewal). @confluentinc/kafka-javascript is
 * not here: it installs only by downloading a prebuilt librdkafka from github.com, or by building it from
 * sources it downloads (zlib, OpenSSL, zstd, curl); neither reaches this machine (see the README).
 *
 *   npm run bench:kafka-clients [-- --messages 60000] [-- --json out.json]
 */

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const MESSAGES = Number(arg('messages', '60000'));
const BATCH = 500;
const DOWN_MS = 10_000;
const VALUE = 'x'.repeat(256);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One candidate, behind the few operations the benchmark needs. */
interface Candidate {
  name: string;
  sendBatch(topic: string, values: string[]): Promise<void>;
  /** Reads `topic` from the start in a new group; calls onValue for each record; resolves when stopped. */
  consume(topic: string, group: string, onValue: (v: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

function kafkajsCandidate(brokers: string[]): Candidate {
  const kafka = createKafka('bench-kafkajs', brokers, true);
  const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1, retry: { retries: 2 } });
  const connected = producer.connect();
  return {
    name: 'kafkajs 2.2.4 (bare)',
    async sendBatch(topic, values) {
      await connected;
      await producer.sendBatch({ topicMessages: [{ topic, messages: values.map((value) => ({ value })) }] });
    },
    consume: (topic, group, onValue) => kafkajsConsume(kafka, topic, group, onValue),
    close: () => producer.disconnect(),
  };
}

async function kafkajsConsume(kafka: Kafka, topic: string, group: string, onValue: (v: string) => void): Promise<() => Promise<void>> {
  const consumer = kafka.consumer({ groupId: group, sessionTimeout: 6000, heartbeatInterval: 500 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachBatch: async ({ batch }) => batch.messages.forEach((m) => onValue(m.value!.toString())) });
  return () => consumer.disconnect();
}

function platformCandidate(brokers: string[]): Candidate {
  const service = new KafkaService({ clientId: 'bench-platform', brokers }, new Registry());
  const ready = service.onModuleInit();
  return {
    name: 'kafkajs 2.2.4 in KafkaService',
    async sendBatch(topic, values) {
      await ready;
      await Promise.all(values.map((value) => service.batching.send(topic, { value })));
    },
    consume: (topic, group, onValue) => kafkajsConsume(service.kafka, topic, group, onValue),
    close: () => service.onApplicationShutdown(),
  };
}

function platformaticCandidate(brokers: string[]): Candidate {
  const base = { bootstrapBrokers: brokers, timeout: 5000, connectTimeout: 2000, retries: 1000, retryDelay: 250 };
  const producer = new PlatformaticProducer({ clientId: 'bench-platformatic', ...base, idempotent: true, acks: -1, maxInflights: 1, serializers: stringSerializers });
  return {
    name: '@platformatic/kafka 1.35.0',
    async sendBatch(topic, values) {
      await producer.send({ messages: values.map((value) => ({ topic, value })) });
    },
    async consume(topic, group, onValue) {
      const consumer = new PlatformaticConsumer({ clientId: 'bench-platformatic-consumer', groupId: group, ...base, deserializers: stringDeserializers });
      const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: true, sessionTimeout: 6000, heartbeatInterval: 500 });
      stream.on('data', (m: { value: string }) => onValue(m.value));
      stream.on('error', () => undefined);
      return async () => {
        await stream.close();
        await consumer.close(true);
      };
    },
    close: async () => {
      await producer.close(true);
    },
  };
}

async function throughput(c: Candidate, topic: string): Promise<{ producePerS: number; consumePerS: number }> {
  const t0 = Date.now();
  for (let sent = 0; sent < MESSAGES; sent += BATCH)
    await c.sendBatch(
      topic,
      Array.from({ length: BATCH }, () => VALUE),
    );
  const produceMs = Date.now() - t0;
  let read = 0;
  const t1 = Date.now();
  const stop = await c.consume(topic, `bench-${topic}`, () => read++);
  while (read < MESSAGES && Date.now() - t1 < 120_000) await sleep(20);
  const consumeMs = Date.now() - t1;
  await stop();
  return { producePerS: Math.round(MESSAGES / (produceMs / 1000)), consumePerS: read < MESSAGES ? 0 : Math.round(MESSAGES / (consumeMs / 1000)) };
}

async function recovery(c: Candidate, infra: InfraHandle, port: number, topic: string): Promise<{ produceS?: number; consumeS?: number; failed: number }> {
  const consumed = new Map<string, number>();
  const stopConsumer = await c.consume(topic, `bench-${topic}`, (v) => consumed.set(v, Date.now()));
  const acked = new Map<string, number>();
  let failed = 0;
  let running = true;
  const sender = (async () => {
    for (let i = 0; running; i++) {
      const id = `r-${i}`;
      await c.sendBatch(topic, [id]).then(
        () => acked.set(id, Date.now()), // when it was acknowledged
        () => failed++,
      );
      await sleep(20);
    }
  })();
  await sleep(3000);
  const crash = infra.crashKafka!(DOWN_MS);
  while (await portAnswers(port, '127.0.0.1', 200)) await sleep(50);
  while (!(await portAnswers(port, '127.0.0.1', 200))) await sleep(50);
  const backAt = Date.now();
  await crash;
  const deadline = backAt + 60_000;
  const firstAckAfter = () => [...acked].find(([, at]) => at >= backAt);
  while (!firstAckAfter() && Date.now() < deadline) await sleep(100);
  const firstAck = firstAckAfter();
  const consumedAfter = () => firstAck && consumed.get(firstAck[0]);
  while (firstAck && !consumedAfter() && Date.now() < deadline) await sleep(100);
  running = false;
  await sender;
  await stopConsumer().catch(() => undefined);
  const produceS = firstAck ? (firstAck[1] - backAt) / 1000 : undefined;
  const seen = consumedAfter();
  return { produceS, consumeS: seen ? (seen - backAt) / 1000 : undefined, failed };
}

async function main(): Promise<void> {
  const run = mkdtempSync(join(tmpdir(), 'ndxp-bench-clients-'));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, NDXP_RUN_DIR: run, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(await freePort()), NDXP_PROMETHEUS: '0' };
  delete env.KAFKA_BROKERS;
  process.stdout.write(`starting a broker (run directory ${run}) ...\n`);
  const infra = await startInfra({ env, log: () => undefined });
  const brokers = infra.kafkaBrokers.split(',');
  const makers = [kafkajsCandidate, platformCandidate, platformaticCandidate];
  const results: Array<Record<string, unknown>> = [];
  try {
    await createTopics(createKafka('bench-admin', brokers, true), [
      ...makers.flatMap((_, i) => [
        { topic: `bench.tp.${i}`, numPartitions: 6 },
        { topic: `bench.rec.${i}`, numPartitions: 1 },
      ]),
    ]);
    for (const [i, make] of makers.entries()) {
      const c = make(brokers);
      process.stdout.write(`${c.name}: throughput ...`);
      const tp = await throughput(c, `bench.tp.${i}`);
      process.stdout.write(` ${tp.producePerS}/s produced, ${tp.consumePerS}/s consumed; broker kill -9 ...`);
      const rec = await recovery(c, infra, port, `bench.rec.${i}`);
      process.stdout.write(` first ack ${rec.produceS ?? 'never'} s, first consumed ${rec.consumeS ?? 'never'} s after the broker was back\n`);
      results.push({ client: c.name, ...tp, ...rec });
      await c.close().catch(() => undefined);
    }
  } finally {
    await infra.stop();
  }
  const fmt = (v: unknown) => (v === undefined ? 'never' : String(v));
  const table = [
    '| client | produce/s | consume/s | first ack after broker back (s) | first consumed (s) | sends failed meanwhile |',
    '|---|---|---|---|---|---|',
    ...results.map((r) => `| ${r.client} | ${r.producePerS} | ${r.consumePerS} | ${fmt(r.produceS)} | ${fmt(r.consumeS)} | ${r.failed} |`),
  ].join('\n');
  process.stdout.write(`\n${MESSAGES} records of 256 B, idempotent, acks=all, 500 a request; broker down ${DOWN_MS / 1000} s:\n${table}\n`);
  const out = arg('json', '');
  if (out) writeFileSync(out, JSON.stringify({ messages: MESSAGES, downMs: DOWN_MS, results }, null, 2));
  process.exit(0);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
