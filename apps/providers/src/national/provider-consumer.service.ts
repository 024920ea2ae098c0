import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DatabaseName, HOT_TOPIC_PARTITIONS, PROVIDERS, ProviderRequest, ProviderResponse, Topics } from '@ndxp/contracts';
import { InboundRequest, KafkaService, RequestConsumer, sendReply } from '@ndxp/platform';
import { FaultBook } from '../faults/faults';
import { answerBatch } from './national-services';
import { NationalRepository } from './national.repository';

/**
 * One consumer per national database. A batch is answered with batched
 * queries; injected faults decide per request whether it is answered (maybe
 * late), fails, or is never answered at all.
 */
@Injectable()
export class ProviderConsumerService implements OnApplicationBootstrap {
  private readonly logger = new Logger(ProviderConsumerService.name);
  readonly handled: Record<string, number> = {};

  constructor(
    private readonly kafka: KafkaService,
    private readonly repo: NationalRepository,
    private readonly faults: FaultBook,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const database of Object.keys(PROVIDERS) as DatabaseName[]) {
      const consumer = new RequestConsumer(
        this.kafka.kafka,
        { topic: Topics.providerRequests(database), numPartitions: HOT_TOPIC_PARTITIONS },
        `providers-${database}`,
        (reqs) => this.onBatch(database, reqs),
      );
      await consumer.start();
      this.kafka.onShutdown(() => consumer.stop());
    }
    this.logger.log(`answering ${Object.keys(PROVIDERS).map((d) => Topics.providerRequests(d)).join(', ')}`);
  }

  private reply(inbound: InboundRequest, r: ProviderResponse, delayMs: number): void {
    const send = () => {
      r.providerOutAt = Date.now();
      sendReply(this.kafka.batching, inbound, r).catch((e) => this.logger.warn(`reply ${r.transactionId} lost: ${(e as Error).message}`));
    };
    if (delayMs > 0) setTimeout(send, delayMs);
    else send();
  }

  async onBatch(database: DatabaseName, inbound: InboundRequest[]): Promise<void> {
    const providerInAt = Date.now();
    const toAnswer: Array<{ inbound: InboundRequest; req: ProviderRequest; delayMs: number }> = [];
    for (const msg of inbound) {
      const req = msg.body as ProviderRequest;
      if (!req || typeof req.transactionId !== 'string') continue;
      this.handled[database] = (this.handled[database] ?? 0) + 1;
      const decision = this.faults.decide(database, req.serviceCode);
      if (decision.kind === 'drop') continue; // an injected timeout: never answered
      if (decision.kind === 'fail') {
        this.reply(msg, { transactionId: req.transactionId, status: decision.fault.status, fault: decision.fault, providerInAt, providerOutAt: 0 }, decision.delayMs);
        continue;
      }
      toAnswer.push({ inbound: msg, req, delayMs: decision.delayMs });
    }
    if (toAnswer.length === 0) return;
    const answers = await answerBatch(this.repo, database, toAnswer.map((a) => a.req));
    toAnswer.forEach((a, i) =>
      this.reply(a.inbound, { transactionId: a.req.transactionId, ...answers[i], providerInAt, providerOutAt: 0 }, a.delayMs),
    );
  }
}
