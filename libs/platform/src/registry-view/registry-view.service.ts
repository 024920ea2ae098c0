import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomUUID } from 'crypto';
import {
  AccessDecision,
  decideAccess,
  emptyRegistryView,
  evolveRegistryView,
  hashApiKey,
  parseRegistryEnvelope,
  registryPositionProblem,
  RegistryViewState,
  Topics,
} from '@ndxp/contracts';
import { KafkaMessage } from 'kafkajs';
import { SupervisedConsumer } from '../kafka/supervised-consumer';
import { AppConfig } from '../config/app-config';
import { ComponentHealth, KafkaService } from '../kafka/kafka.service';

export type CredentialCheck = { ok: true; client: string; keyId: string } | { ok: false; reason: 'unknown-key' | 'revoked-key' | 'wrong-client'; message: string };

/** An LGSP operator's key: it reads that LGSP's exchanges, and authenticates no call. */
export type OperatorCheck = { ok: true; lgsp: string; keyId: string } | { ok: false; reason: 'unknown-key' | 'revoked-key'; message: string };

/**
 * This process's copy of the registry, folded from `ndxp.registry.events`
 * from the beginning at every start (its consumer group never commits), and
 * kept current as the registry publishes: a grant or a revoke reaches it in
 * well under a second.
 */
@Injectable()
export class RegistryViewService implements OnApplicationBootstrap {
  private readonly logger = new Logger(RegistryViewService.name);
  readonly state: RegistryViewState = emptyRegistryView();
  private consumer: SupervisedConsumer | undefined;
  private caughtUp = false;
  private lastEventAt = 0;
  private markReady!: () => void;
  /** Resolves once the view has caught up with the registry's events at start. */
  readonly ready: Promise<void> = new Promise((r) => (this.markReady = r));

  constructor(
    private readonly kafka: KafkaService,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.kafka.ensureTopics([{ topic: Topics.registryEvents, numPartitions: 1 }]);
    const target = await this.kafka.topicEnd(Topics.registryEvents);
    const resolveReady = this.markReady;
    const ready = this.ready;
    if (target === 0) {
      this.caughtUp = true;
      resolveReady();
    }
    // Never commits: every start (and every reconnect) folds the registry from the beginning.
    // Unique per start, like the reply consumers: it never commits, and need not wait for a crashed predecessor's session.
    const groupId = `registry-view-${this.config.INSTANCE_ID}-${randomUUID().slice(0, 8)}`;
    this.consumer = new SupervisedConsumer(this.kafka.kafka, {
      groupId,
      topic: Topics.registryEvents,
      fromBeginning: true,
      // Back with the first event, whatever KAFKA_FETCH_MIN_BYTES says: a revoked key or grant takes effect at once.
      config: { maxWaitTimeInMs: 100, minBytes: 1 },
      run: {
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            const refused = this.fold(m);
            if (refused) await this.kafka.deadLetters.send({ group: groupId, topic: batch.topic, partition: batch.partition, offset: m.offset }, m, 'malformed', refused);
            // A skipped record counts towards catching up too: the view must not wait for it.
            if (!this.caughtUp && Number(m.offset) + 1 >= target) {
              this.caughtUp = true;
              resolveReady();
            }
          }
        },
      },
    });
    await this.consumer.start();
    this.kafka.onShutdown(() => this.consumer!.stop());
    // Without the registry's view every request would be refused: wait for it before serving.
    // The timer is cleared once the view is ready: left pending, it held a process that closed its app within 60 s of start.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 60_000)));
    const outcome = await Promise.race([ready, timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') this.logger.warn(`registry view not caught up after 60 s (${this.state.position} of ${target} events); requests may be refused`);
    else this.logger.log(`registry view ready: ${this.state.services.size} services, ${this.state.subsystems.size} subsystems, ${this.state.grants.size} clients with grants`);
  }

  /**
   * Applies one record of the topic; one it cannot read, or whose position no registry wrote, is not applied:
   * the reason is returned (it is dead-lettered; this view folds from the start at every start, so each start
   * dead-letters it again, under its own group), never thrown out of the consumer.
   */
  private fold(m: KafkaMessage): string | undefined {
    const env = parseRegistryEnvelope(m.value?.toString() ?? '');
    if (!env.ok) return env.reason;
    const problem = registryPositionProblem(this.state, env.value.globalPosition);
    if (problem) return problem;
    evolveRegistryView(this.state, env.value.event, env.value.globalPosition);
    this.lastEventAt = Date.now();
    return undefined;
  }

  decide(client: string, service: string): AccessDecision {
    return decideAccess(this.state, client, service);
  }

  /**
   * Whose key is this, and may it speak for `client`: a subsystem (its own key), a member (a key of one of
   * its subsystems), or nobody named (the adapter form without X-Road-Client: the key says who calls).
   */
  checkApiKey(apiKey: string, client?: string): CredentialCheck {
    const c = this.state.credentials.get(hashApiKey(apiKey));
    if (!c) return { ok: false, reason: 'unknown-key', message: 'the API key is not known to the registry' };
    if (c.revoked) return { ok: false, reason: 'revoked-key', message: `API key ${c.keyId} of ${c.client} has been revoked` };
    const speaksFor = client === undefined || c.client === client || c.client.startsWith(`${client}/`);
    if (!speaksFor) return { ok: false, reason: 'wrong-client', message: `the API key belongs to ${c.client}, not to X-Road-Client ${client}` };
    return { ok: true, client: c.client, keyId: c.keyId };
  }

  /** Is this an LGSP operator's key, and is it live. */
  checkOperatorKey(apiKey: string): OperatorCheck {
    const o = this.state.operators.get(hashApiKey(apiKey));
    if (!o) return { ok: false, reason: 'unknown-key', message: 'the key is not known to the registry' };
    if (o.revoked) return { ok: false, reason: 'revoked-key', message: `operator key ${o.keyId} of LGSP ${o.lgsp} has been revoked` };
    return { ok: true, lgsp: o.lgsp, keyId: o.keyId };
  }

  health(): ComponentHealth {
    return {
      status: this.caughtUp ? 'up' : 'down',
      position: this.state.position,
      services: this.state.services.size,
      lastEventAt: this.lastEventAt ? new Date(this.lastEventAt).toISOString() : null,
    };
  }
}
