import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { HOT_TOPIC_PARTITIONS, LgspKeyring, Topics } from '@ndxp/contracts';
import { KafkaRequester, KafkaService } from '@ndxp/platform';
import { LgspConfig } from '../lgsp.config';

/**
 * This LGSP process's line to the hub: requests out on one topic, replies back on its own. Every request is signed with
 * the key of the LGSP it is for (LGSP_SIGNING_KEYS, or derived from PLATFORM_SIGNING_KEY): the hub refuses what that
 * LGSP's key did not sign.
 */
@Injectable()
export class HubClientService implements OnApplicationBootstrap {
  private requester: KafkaRequester | undefined;
  private readonly keys: LgspKeyring;

  constructor(
    private readonly kafka: KafkaService,
    private readonly config: LgspConfig,
  ) {
    this.keys = config.lgspKeyring();
  }

  async onApplicationBootstrap(): Promise<void> {
    const id = this.config.INSTANCE_ID;
    this.requester = new KafkaRequester(this.kafka.kafka, this.kafka.batching, Topics.lgspReplies(id), `lgsp-replies-${id}`, { replyPartitions: 3 });
    await this.requester.start([
      { topic: Topics.hubRequests, numPartitions: HOT_TOPIC_PARTITIONS },
      { topic: Topics.transactions, numPartitions: HOT_TOPIC_PARTITIONS },
    ]);
    this.kafka.onShutdown(() => this.requester!.stop());
  }

  /** Sends a request for `lgsp`, signed with its key; throws (nothing sent) when this process holds no key for it. */
  request<TReq, TRes>(operation: string, body: TReq, timeoutMs: number, opts: { lgsp: string; key?: string }): Promise<TRes> {
    if (!this.requester) throw new Error('hub client not started yet');
    const signingKey = this.keys.keyFor(opts.lgsp);
    if (!signingKey) throw new Error(`this gateway holds no signing key for LGSP ${opts.lgsp}`);
    return this.requester.request<TReq, TRes>(Topics.hubRequests, operation, body, timeoutMs, { key: opts.key, signingKey });
  }
}
