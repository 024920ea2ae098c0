import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { METRICS_REGISTRY, registryMetrics } from '@ndxp/metrics';
import { Registry } from 'prom-client';
import {
  AgencyRegistered,
  emptyRegistryView,
  evolveRegistryView,
  RegistryEvent,
  RegistryEventEnvelope,
  RegistryViewState,
  ServiceRegistered,
  SubsystemRegistered,
} from '@ndxp/contracts';
import { DomainError } from '@ndxp/platform';
import { AccessCommand, decideAccessChange, evolveAccess, initialAccess } from '../domain/access';
import { AgencyCommand, decideAgency, evolveAgency, initialAgency } from '../domain/agency';
import { CertificateCommand, decideCertificate, evolveCertificate, initialCertificate } from '../domain/certificate';
import { CredentialCommand, decideCredential, evolveCredential, initialCredential } from '../domain/credential';
import { decideOperator, evolveOperator, initialOperator, OperatorCommand } from '../domain/operator';
import { decideService, evolveService, initialService, ServiceCommand } from '../domain/service';
import { EventStore } from '../event-store/event-store';
import { OutboxRelayService } from '../event-store/outbox-relay.service';

interface Aggregate<S, C> {
  initial: () => S;
  evolve: (s: S, e: RegistryEvent) => S;
  decide: (c: C, s: S) => RegistryEvent[];
}

const AGENCY: Aggregate<ReturnType<typeof initialAgency>, AgencyCommand> = { initial: initialAgency, evolve: evolveAgency, decide: decideAgency };
const SERVICE: Aggregate<ReturnType<typeof initialService>, ServiceCommand> = { initial: initialService, evolve: evolveService, decide: decideService };
const ACCESS: Aggregate<ReturnType<typeof initialAccess>, AccessCommand> = { initial: initialAccess, evolve: evolveAccess, decide: decideAccessChange };
const CREDENTIAL: Aggregate<ReturnType<typeof initialCredential>, CredentialCommand> = { initial: initialCredential, evolve: evolveCredential, decide: decideCredential };
const CERTIFICATE: Aggregate<ReturnType<typeof initialCertificate>, CertificateCommand> = {
  initial: initialCertificate,
  evolve: evolveCertificate,
  decide: decideCertificate,
};
const OPERATOR: Aggregate<ReturnType<typeof initialOperator>, OperatorCommand> = { initial: initialOperator, evolve: evolveOperator, decide: decideOperator };

export const streams = {
  agency: (code102: string) => `agency-${code102}`,
  service: (service: string) => `service-${service}`,
  access: (client: string) => `access-${client}`,
  credential: (client: string) => `credential-${client}`,
  certificate: (client: string) => `certificate-${client}`,
  operator: (lgsp: string) => `operator-${lgsp}`,
};

export interface CommandResult {
  streamId: string;
  version: number;
  events: RegistryEvent[];
}

/**
 * Runs commands: read the stream, fold it, decide, append at the version read
 * (or the version the caller says it saw), then update the read model.
 */
@Injectable()
export class RegistryService implements OnModuleInit {
  /** The registry's own read model: the shared view plus the full records for its API. */
  readonly view: RegistryViewState = emptyRegistryView();
  readonly agencies = new Map<string, AgencyRegistered>();
  readonly subsystems = new Map<string, SubsystemRegistered>();
  readonly services = new Map<string, ServiceRegistered>();
  private readonly metrics: ReturnType<typeof registryMetrics>;

  constructor(
    private readonly store: EventStore,
    private readonly relay: OutboxRelayService,
    @Inject(METRICS_REGISTRY) metricsRegistry: Registry,
  ) {
    const view = this.view;
    this.metrics = registryMetrics(metricsRegistry, {
      agencies: () => view.agencies.size,
      lgsps: () => [...view.agencies.values()].filter((a) => a.hasLgsp).length,
      grants: () => [...view.grants.values()].reduce((n, s) => n + s.size, 0),
      credentials: () => {
        const all = [...view.credentials.values()];
        return { active: all.filter((c) => !c.revoked).length, revoked: all.filter((c) => c.revoked).length };
      },
      outboxPending: () => this.store.outboxPending().catch(() => 0),
    });
  }

  async onModuleInit(): Promise<void> {
    for (const env of await this.store.readAll()) this.apply(env);
  }

  private apply(env: RegistryEventEnvelope): void {
    evolveRegistryView(this.view, env.event, env.globalPosition);
    const e = env.event;
    if (e.type === 'AgencyRegistered') this.agencies.set(e.code102, e);
    if (e.type === 'SubsystemRegistered') this.subsystems.set(e.subsystem, e);
    if (e.type === 'ServiceRegistered') this.services.set(e.service, e);
  }

  private async run<S, C>(agg: Aggregate<S, C>, streamId: string, cmd: C, expectedVersion?: number): Promise<CommandResult> {
    const stream = await this.store.readStream(streamId);
    if (expectedVersion !== undefined && expectedVersion !== stream.version)
      throw new DomainError('CONFLICT', `stream ${streamId} is at version ${stream.version}, not ${expectedVersion}: re-read it and try again`);
    const state = stream.events.reduce(agg.evolve, agg.initial());
    const events = agg.decide(cmd, state);
    const envelopes = await this.store.append(streamId, stream.version, events);
    envelopes.forEach((e) => {
      this.apply(e);
      this.metrics.eventsAppended.inc({ type: e.event.type });
    });
    if (envelopes.length) this.relay.poke();
    return { streamId, version: stream.version + events.length, events };
  }

  private requireSubsystem(subsystem: string, field: string): void {
    if (!this.subsystems.has(subsystem)) throw new DomainError('NOT_FOUND', `subsystem ${subsystem} is not registered`, field);
  }

  registerAgency(cmd: Omit<Extract<AgencyCommand, { kind: 'RegisterAgency' }>, 'kind'>, expectedVersion?: number) {
    if (cmd.parent && !this.agencies.has(cmd.parent)) throw new DomainError('NOT_FOUND', `parent agency ${cmd.parent} is not registered`, 'parent');
    return this.run(AGENCY, streams.agency(cmd.code102), { kind: 'RegisterAgency', ...cmd }, expectedVersion);
  }

  registerSubsystem(cmd: Omit<Extract<AgencyCommand, { kind: 'RegisterSubsystem' }>, 'kind'>, expectedVersion?: number) {
    return this.run(AGENCY, streams.agency(cmd.agency), { kind: 'RegisterSubsystem', ...cmd }, expectedVersion);
  }

  registerService(cmd: Omit<ServiceCommand, 'kind'>, expectedVersion?: number) {
    this.requireSubsystem(cmd.provider, 'provider');
    return this.run(SERVICE, streams.service(cmd.service), { kind: 'RegisterService', ...cmd }, expectedVersion);
  }

  grant(client: string, service: string, expectedVersion?: number) {
    this.requireSubsystem(client, 'client');
    if (!this.services.has(service)) throw new DomainError('NOT_FOUND', `service ${service} is not in the catalogue`, 'service');
    return this.run(ACCESS, streams.access(client), { kind: 'Grant', client, service }, expectedVersion);
  }

  revoke(client: string, service: string, expectedVersion?: number) {
    return this.run(ACCESS, streams.access(client), { kind: 'Revoke', client, service }, expectedVersion);
  }

  credential(cmd: CredentialCommand, expectedVersion?: number) {
    this.requireSubsystem(cmd.client, 'client');
    return this.run(CREDENTIAL, streams.credential(cmd.client), cmd, expectedVersion);
  }

  /** An operator key reads one LGSP's exchanges: issued only for an agency the registry has as an LGSP (a revoke needs no check). */
  operatorCredential(cmd: OperatorCommand, expectedVersion?: number) {
    if (cmd.kind === 'Issue' && !this.view.agencies.get(cmd.lgsp)?.hasLgsp) throw new DomainError('NOT_FOUND', `${cmd.lgsp} is no LGSP in the registry`, 'lgsp');
    return this.run(OPERATOR, streams.operator(cmd.lgsp), cmd, expectedVersion);
  }

  /** A certificate authenticates one client subsystem only: one registered (and not revoked) for another is refused. */
  certificate(cmd: CertificateCommand, expectedVersion?: number) {
    this.requireSubsystem(cmd.client, 'client');
    const holder = this.view.certificates.get(cmd.fingerprint);
    if (cmd.kind === 'Register' && holder && !holder.revoked && holder.client !== cmd.client)
      throw new DomainError('CONFLICT', `the certificate ${cmd.fingerprint} is registered for ${holder.client}: revoke it there first`, 'certificatePem');
    return this.run(CERTIFICATE, streams.certificate(cmd.client), cmd, expectedVersion);
  }
}
