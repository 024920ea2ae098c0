import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { existsSync } from 'fs';
import { join } from 'path';
import { PROVIDERS, serviceKeyOf, SERVICES } from '@ndxp/contracts';
import { EventStore } from '../event-store/event-store';
import { OutboxRelayService } from '../event-store/outbox-relay.service';
import { RegistryConfig } from '../registry.config';
import { RegistryService } from '../registry/registry.service';
import { seedPlan } from './seed';

/**
 * Seeds an empty registry: the agencies (22 ministries, 63 provinces, the
 * database owners and others), one one-stop-shop client subsystem with an API
 * key per LGSP agency, the three national databases and their services, and
 * the grants of the common services to every LGSP client. Through the same
 * commands as the admin API, so the seed reaches Kafka like any change.
 */
@Injectable()
export class SeedService implements OnApplicationBootstrap {
  private readonly logger = new Logger(SeedService.name);

  constructor(
    private readonly store: EventStore,
    private readonly registry: RegistryService,
    private readonly config: RegistryConfig,
    private readonly relay: OutboxRelayService,
  ) {}

  static agencyFile(config: RegistryConfig): string {
    if (config.SEED_AGENCIES_FILE) return config.SEED_AGENCIES_FILE;
    for (const dir of [process.cwd(), join(__dirname, '..', '..', '..', '..', '..'), join(__dirname, '..', '..', '..', '..')]) {
      const f = join(dir, 'data', 'domain', 'agency-codes.csv');
      if (existsSync(f)) return f;
    }
    throw new Error('data/domain/agency-codes.csv not found: run from the repository root or set SEED_AGENCIES_FILE');
  }

  async onApplicationBootstrap(): Promise<void> {
    if ((await this.store.count()) > 0) return;
    const started = Date.now();
    const plan = seedPlan(SeedService.agencyFile(this.config), this.config.REGISTRY_SEED_SECRET);
    for (const a of plan.agencies) {
      const { type: _t, ...cmd } = a;
      await this.registry.registerAgency(cmd);
    }
    for (const p of Object.values(PROVIDERS)) await this.registry.registerSubsystem({ subsystem: p.subsystem, agency: p.owner, name: p.name, role: 'provider' });
    for (const s of SERVICES)
      await this.registry.registerService({
        service: serviceKeyOf(s),
        provider: s.provider,
        serviceCode: s.serviceCode,
        version: s.version,
        method: s.method,
        database: s.database,
        description: s.description,
      });
    for (const c of plan.clients) {
      await this.registry.registerSubsystem({ subsystem: c.subsystem, agency: c.agency, name: 'Hệ thống một cửa (one-stop-shop system)', role: 'client' });
      await this.registry.credential({ kind: 'Issue', client: c.subsystem, apiKey: c.apiKey });
      for (const s of SERVICES) await this.registry.grant(c.subsystem, serviceKeyOf(s));
    }
    // The hub and the gateways fold their view from Kafka: the registry is not
    // ready (and does not listen) until the whole seed is on the topic.
    const deadline = Date.now() + 120_000;
    for (;;) {
      const pending = await this.store.outboxPending();
      if (pending === 0) break;
      if (Date.now() > deadline) throw new Error(`the seed's ${pending} remaining events did not reach Kafka within 120 s`);
      this.relay.poke();
      await new Promise((r) => setTimeout(r, 100));
    }
    const lgsps = plan.agencies.filter((a) => a.hasLgsp).length;
    const unconfirmed = plan.agencies.filter((a) => !a.codeConfirmed).length;
    this.logger.log(
      `seeded ${plan.agencies.length} agencies (${lgsps} with an LGSP; ${unconfirmed} codes unconfirmed), ` +
        `${SERVICES.length} services, ${plan.clients.length} client subsystems with keys and grants, all on Kafka, in ${Date.now() - started} ms`,
    );
  }
}
