import http from 'http';
import { createKafka, BatchingProducer, KafkaRequester, KafkaResponder, kafkaSecurityFrom, RequestConsumer, sendReply } from '@ndxp/platform';

/**
 * The benchmark's baseline: the same hops as the platform's hot path (HTTP in,
 * Kafka to a hub, Kafka to a provider, back the same way, HTTP out), with the
 * same batched kafkajs transport, and no platform logic at all: no parsing,
 * no access check, no events, no database.
 *   role front <port>: the LGSP's place; role hub; role provider.
 */
const [role, portArg] = process.argv.slice(2);
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const PARTITIONS = 6;

async function main(): Promise<void> {
  const kafka = createKafka(`bench-${role}`, brokers, true, undefined, kafkaSecurityFrom(process.env, `bench-${role}`));
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const batching = new BatchingProducer(producer);
  if (role === 'provider') {
    await new KafkaResponder(kafka, batching, { topic: 'bench.provider', numPartitions: PARTITIONS }, 'bench-provider', async (_op, body) => ({ echo: body })).start();
  } else if (role === 'hub') {
    const toProvider = new KafkaRequester(kafka, batching, 'bench.hub.replies', 'bench-hub-replies', { replyPartitions: 3 });
    await toProvider.start([{ topic: 'bench.provider', numPartitions: PARTITIONS }]);
    await new RequestConsumer(kafka, { topic: 'bench.hub', numPartitions: PARTITIONS }, 'bench-hub', async (reqs) => {
      for (const req of reqs)
        void toProvider
          .request('bench.provider', 'call', req.body, 5000)
          .then((answer) => sendReply(batching, req, answer))
          .catch(() => sendReply(batching, req, { error: 'timeout' }));
    }).start();
  } else if (role === 'front') {
    const toHub = new KafkaRequester(kafka, batching, 'bench.front.replies', 'bench-front-replies', { replyPartitions: 3 });
    await toHub.start([{ topic: 'bench.hub', numPartitions: PARTITIONS }]);
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        toHub
          .request('bench.hub', 'call', { path: req.url, body: Buffer.concat(chunks).toString() }, 6000)
          .then((answer) => {
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(JSON.stringify(answer));
          })
          .catch(() => {
            res.writeHead(500, { 'x-road-error': 'Server.ServerProxy.IOError' });
            res.end();
          });
      });
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((r) => server.listen(Number(portArg), '127.0.0.1', r));
  } else throw new Error(`unknown role ${role}`);
  process.stdout.write('READY\n');
  process.on('SIGTERM', () => process.exit(0));
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
