import { Logger } from '@nestjs/common';
import { Consumer, ConsumerConfig, ConsumerRunConfig, Kafka } from 'kafkajs';

export interface SupervisedConsumerOptions {
  groupId: string;
  topic: string;
  fromBeginning: boolean;
  run: ConsumerRunConfig;
  config?: Partial<ConsumerConfig>;
}

/**
 * A kafkajs consumer that comes back after a crash kafkajs itself will not
 * restart from (a broker restart ends in "Failed to find group coordinator",
 * a non-retriable error that leaves the consumer stopped for good).
 */
export class SupervisedConsumer {
  private readonly logger: Logger;
  private consumer: Consumer | undefined;
  private stopped = false;
  private reopening = false;
  restarts = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly o: SupervisedConsumerOptions,
  ) {
    this.logger = new Logger(`consumer:${o.groupId}`);
  }

  async start(): Promise<void> {
    // 10 s sessions: a shorter one (6 s tried) expired members during a broker restart and slowed recovery.
    const c = this.kafka.consumer({ groupId: this.o.groupId, sessionTimeout: 10000, heartbeatInterval: 1000, maxWaitTimeInMs: 50, ...this.o.config });
    c.on(c.events.CRASH, (e) => {
      if (e.payload.restart || this.stopped) return;
      this.logger.warn(`crashed (${e.payload.error.message}); reconnecting`);
      void this.reopen();
    });
    await c.connect();
    await c.subscribe({ topic: this.o.topic, fromBeginning: this.o.fromBeginning });
    await c.run(this.o.run);
    this.consumer = c;
  }

  private async reopen(): Promise<void> {
    if (this.reopening) return;
    this.reopening = true;
    try {
      await this.consumer?.disconnect().catch(() => undefined);
      for (let attempt = 1; !this.stopped; attempt++) {
        await new Promise((r) => setTimeout(r, Math.min(5000, 500 * attempt)));
        try {
          await this.start();
          this.restarts++;
          this.logger.log(`consuming ${this.o.topic} again (restart ${this.restarts})`);
          return;
        } catch (e) {
          this.logger.warn(`reconnect attempt ${attempt} failed: ${(e as Error).message}`);
        }
      }
    } finally {
      this.reopening = false;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.consumer?.disconnect();
  }
}
