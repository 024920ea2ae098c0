import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { PING_OPERATION, PingReply, PingRequest, Topics } from '@ndxp/contracts';
import { AppConfig, KafkaResponder, KafkaService } from '@ndxp/platform';

/** Consumes LGSP requests from Kafka and answers each on its reply topic. */
@Injectable()
export class HubResponderService implements OnApplicationBootstrap {
  private readonly logger = new Logger(HubResponderService.name);
  private responder: KafkaResponder | undefined;

  constructor(
    private readonly kafka: KafkaService,
    private readonly config: AppConfig,
  ) {}

  async handle(operation: string, body: unknown): Promise<unknown> {
    if (operation === PING_OPERATION) {
      const req = body as PingRequest;
      const reply: PingReply = { hub: this.config.INSTANCE_ID, receivedAt: new Date().toISOString() };
      this.logger.debug(`ping from ${req.fromInstance}`);
      return reply;
    }
    return { error: { type: 'Client.UnknownService', message: `unknown operation ${operation}` } };
  }

  async onApplicationBootstrap(): Promise<void> {
    // Every NDXP instance joins one group, so instances share the request partitions.
    this.responder = new KafkaResponder(this.kafka.kafka, this.kafka.batching, Topics.hubRequests, 'ndxp-hub', (op, b) =>
      this.handle(op, b),
    );
    await this.responder.start();
    this.kafka.onShutdown(() => this.responder!.stop());
    this.logger.log(`consuming ${Topics.hubRequests}`);
  }
}
