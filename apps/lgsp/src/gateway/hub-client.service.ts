import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { HOT_TOPIC_PARTITIONS, signingKey, Topics } from '@ndxp/contracts';
import { KafkaRequester, KafkaService } from '@ndxp/platform';
import { LgspConfig } from '../lgsp.config';

/**
 * This LGSP process's line to the hub: requests out on one topic, replies back on its own. Every request is signed with
 * PLATFORM_SIGNING_KEY: the hub refuses what a gateway did not sign.
 */
@Injectable()
export class HubClientService implements OnApplicationBootstrap {
  private requester: KafkaRequester | undefined;

  constructor(
    private readonly kafka: KafkaService,
    private readonly config: LgspConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const id = this.config.INSTANCE_ID;
    this.requester = new KafkaRequester(this.kafka.kafka, this.kafka.batching, Topics.lgspReplies(id), `lgsp-replies-${id}`, {
      replyPartitions: 3,
      signingKey: signingKey(this.config.PLATFORM_SIGNING_KEY),
    });
    await this.requester.start([
      { topic: Topics.hubRequests, numPartitions: HOT_TOPIC_PARTITIONS },
      { topic: Topics.transactions, numPartitions: HOT_TOPIC_PARTITIONS },
    ]);
    this.kafka.onShutdown(() => this.requester!.stop());
  }

  request<TReq, TRes>(operation: string, body: TReq, timeoutMs: number, key?: string): Promise<TRes> {
    if (!this.requester) throw new Error('hub client not started yet');
    return this.requester.request<TReq, TRes>(Topics.hubRequests, operation, body, timeoutMs, { key });
  }
}
