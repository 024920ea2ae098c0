import { randomBytes, randomUUID } from 'crypto';
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Admin, Kafka } from 'kafkajs';
import { cacheDir, ensureKafkaJars, freePort, KAFKA_VERSION, LocalKafkaCluster } from '@ndxp/infra';
import { createKafka, ensureTopics, unknownTopic } from '@ndxp/platform';

// The launcher's three-broker cluster, real JVMs: topics get three replicas of which acks=all needs two, and a
// broker killed with kill -9 while a producer writes loses no acknowledged message. How long writes stall
// (the controller fences the dead broker after broker.session.timeout.ms, then elects new leaders) is printed.

/** Partition 0 as a broker sees it; asked again while the broker asked has not learnt of the topic yet. */
async function partitionOf(admin: Admin, topic: string): Promise<{ leader: number; replicas: number[]; isr: number[] }> {
  for (let tries = 0; ; tries++) {
    try {
      return (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0].partitions[0];
    } catch (e) {
      if (!unknownTopic(e) || tries > 40) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

async function until<T>(what: string, f: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const SASL = { mechanism: 'scram-sha-256' as const, username: 'ndxp-apps', password: randomBytes(16).toString('hex') };

describe('a local cluster of three Kafka brokers, SCRAM logins only', () => {
  let cluster: LocalKafkaCluster | undefined;
  let kafka: Kafka;
  let admin: Admin;
  const topic = `cluster-test-${randomUUID()}`;
  let killed = 0;

  beforeAll(async () => {
    await ensureKafkaJars(KAFKA_VERSION, cacheDir(), () => undefined);
    const nodes = [];
    for (let i = 0; i < 3; i++) nodes.push({ port: await freePort(), controllerPort: await freePort() });
    const dir = mkdtempSync(join(tmpdir(), 'ndxp-kafka-cluster-'));
    // With logins, as the compose overlay's brokers: each controller must take the others' login (a secret of the cluster's).
    cluster = new LocalKafkaCluster({ version: KAFKA_VERSION, nodes, heap: '512m', dir, cacheDir: cacheDir(), log: () => undefined, sasl: SASL });
    const t0 = Date.now();
    await cluster.start();
    console.log(`three brokers up and proven in ${Date.now() - t0} ms`);
    // The platform's own client, with the apps' retry and request timeouts.
    kafka = createKafka('cluster-test', cluster.brokers, true, undefined, { sasl: SASL });
    admin = kafka.admin();
    await admin.connect();
  }, 600_000);

  afterAll(async () => {
    await admin?.disconnect();
    await cluster?.stop();
  }, 60_000);

  it('given a topic created by the platform, then it has three replicas in sync and min.insync.replicas 2, and so do the consumer offsets', async () => {
    await ensureTopics(admin, [{ topic }]);
    const p = await partitionOf(admin, topic);
    expect(p.replicas.sort()).toEqual([1, 2, 3]);
    expect(p.isr.sort()).toEqual([1, 2, 3]);
    const configs = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: topic, configNames: ['min.insync.replicas'] }] });
    expect(configs.resources[0].configEntries.find((e) => e.configName === 'min.insync.replicas')?.configValue).toBe('2');
    // The launcher's probe made a consumer group, so the offsets topic exists: three copies too, or groups die with a broker.
    const offsets = (await admin.fetchTopicMetadata({ topics: ['__consumer_offsets'] })).topics[0];
    expect(offsets.partitions.every((q) => q.replicas.length === 3)).toBe(true);
  });

  it('given an idempotent acks=all producer writing, when the partition leader is killed with kill -9, then no acknowledged message is lost and writes resume within the election', async () => {
    // As KafkaService.newProducer makes it: a failed send is sent again by the caller (BatchingProducer).
    const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1, retry: { retries: 2 } });
    await producer.connect();
    const acked: number[] = [];
    let lastAck = Date.now();
    let resumeMs = 0; // the longest time between two acknowledgements, failed sends included
    let failures = 0;
    let killAt = 0;
    let elected: Promise<number> | undefined;
    const t0 = Date.now();
    for (let seq = 0; Date.now() - t0 < 15_000;) {
      if (!killAt && Date.now() - t0 > 3000) {
        killed = (await partitionOf(admin, topic)).leader;
        killAt = Date.now();
        await cluster!.kill(killed);
        elected = until('a new leader', async () => ((await partitionOf(admin, topic)).leader !== killed ? Date.now() - killAt : undefined), 30_000);
      }
      try {
        await producer.send({ topic, acks: -1, messages: [{ value: String(seq) }] });
        acked.push(seq);
        resumeMs = Math.max(resumeMs, Date.now() - lastAck);
        lastAck = Date.now();
        seq++;
      } catch {
        failures++; // not acknowledged: sent again, as the platform's BatchingProducer does
      }
    }
    await producer.disconnect();
    const electedMs = await elected!;
    const after = await partitionOf(admin, topic);
    console.log(
      `killed broker ${killed} (the leader) under load: ${acked.length} messages acknowledged, ${failures} failed sends retried, ` +
        `the longest time without an acknowledgement ${resumeMs} ms (kill at +${killAt - t0} ms); ` +
        `new leader ${after.leader} seen ${electedMs} ms after the kill, in sync ${after.isr.join(',')}`,
    );
    expect(after.leader).not.toBe(killed);
    expect(after.isr.sort()).toEqual([1, 2, 3].filter((n) => n !== killed));

    const seen = new Set<string>();
    const consumer = kafka.consumer({ groupId: `cluster-test-${randomUUID()}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.add(message.value!.toString()) });
    await until('every acknowledged message to be read back', async () => (acked.every((s) => seen.has(String(s))) ? true : undefined), 30_000).finally(() =>
      consumer.disconnect(),
    );
    expect(acked.filter((s) => !seen.has(String(s)))).toEqual([]);
    expect(acked.length).toBeGreaterThan(50);
    // The dead leader is fenced after broker.session.timeout.ms (2 s) and a new one elected; the producer finds it
    // at its next try (the platform's client retries at most 2 s apart). Without replicas writes would wait for the restart.
    expect(resumeMs).toBeLessThan(electedMs + 3000);
    expect(resumeMs).toBeLessThan(10_000);
  }, 60_000);

  it('given the killed broker started again on its data, then it rejoins the in-sync replicas', async () => {
    expect(killed).toBeGreaterThan(0);
    const t0 = Date.now();
    await cluster!.revive(killed);
    await until('the revived broker back in sync', async () => ((await partitionOf(admin, topic)).isr.length === 3 ? true : undefined), 30_000);
    console.log(`broker ${killed} back in sync ${Date.now() - t0} ms after its start`);
  }, 60_000);
});
