/**
 * Registry events: the write side's facts, appended to the registry's event
 * store and published through its outbox to Kafka, where NDXP and the LGSPs
 * build their view of who may call what.
 */
export interface AgencyRegistered {
  type: 'AgencyRegistered';
  code102: string;
  decision20?: string;
  nameVi: string;
  nameEn: string;
  level: number;
  parent?: string;
  /** ministry, province, government-agency, other. */
  category: string;
  /** false when the code is inferred, not confirmed by a public source. */
  codeConfirmed: boolean;
  hasLgsp: boolean;
}

export interface SubsystemRegistered {
  type: 'SubsystemRegistered';
  subsystem: string;
  agency: string;
  name: string;
  role: 'client' | 'provider';
}

export interface ServiceRegistered {
  type: 'ServiceRegistered';
  service: string;
  provider: string;
  serviceCode: string;
  version: string;
  method: string;
  database: string;
  description: string;
}

export interface AccessGranted {
  type: 'AccessGranted';
  client: string;
  service: string;
}

export interface AccessRevoked {
  type: 'AccessRevoked';
  client: string;
  service: string;
}

export interface CredentialIssued {
  type: 'CredentialIssued';
  client: string;
  keyId: string;
  keyHash: string;
}

export interface CredentialRevoked {
  type: 'CredentialRevoked';
  client: string;
  keyId: string;
}

export type RegistryEvent =
  | AgencyRegistered
  | SubsystemRegistered
  | ServiceRegistered
  | AccessGranted
  | AccessRevoked
  | CredentialIssued
  | CredentialRevoked;

/** As published on Kafka: the event with its place in the store. */
export interface RegistryEventEnvelope {
  globalPosition: number;
  streamId: string;
  streamVersion: number;
  recordedAt: string;
  event: RegistryEvent;
}
