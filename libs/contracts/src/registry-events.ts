import { invalid, ok, Parsed } from './identifiers/result';
import { checkTyped, FieldKind, isObject, readRecord } from './records';

/** The envelope's schema version this code writes and reads (`schemaVersion`; absent = 1). */
export const REGISTRY_SCHEMA_VERSION = 1;

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
  /** A test client: its X-Emulator-Fault header is honoured (absent: false; the seeded MOTCUA clients are test clients anyway). */
  testClient?: boolean;
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

/**
 * A TLS certificate a client subsystem authenticates with (X-Road's IS certificate): identified by the
 * SHA-256 of its DER bytes, lower-case hex. Only the facts are kept, never the key.
 */
export interface CertificateRegistered {
  type: 'CertificateRegistered';
  client: string;
  fingerprint: string;
  subject: string;
  /** ISO 8601. */
  notAfter: string;
}

export interface CertificateRevoked {
  type: 'CertificateRevoked';
  client: string;
  fingerprint: string;
}

/**
 * A key of an LGSP's operator: it reads that LGSP's exchanges (ledger, statistics, request journal), never
 * calls a service. Kept apart from client keys so that it can never authenticate a call at a gateway.
 */
export interface OperatorCredentialIssued {
  type: 'OperatorCredentialIssued';
  /** The LGSP's agency code, e.g. 000.00.00.H26. */
  lgsp: string;
  keyId: string;
  keyHash: string;
}

export interface OperatorCredentialRevoked {
  type: 'OperatorCredentialRevoked';
  lgsp: string;
  keyId: string;
}

export type RegistryEvent =
  | AgencyRegistered
  | SubsystemRegistered
  | ServiceRegistered
  | AccessGranted
  | AccessRevoked
  | CredentialIssued
  | CredentialRevoked
  | CertificateRegistered
  | CertificateRevoked
  | OperatorCredentialIssued
  | OperatorCredentialRevoked;

/** As published on Kafka: the event with its place in the store. */
export interface RegistryEventEnvelope {
  globalPosition: number;
  streamId: string;
  streamVersion: number;
  recordedAt: string;
  event: RegistryEvent;
  /** Stamped when published (the outbox relay); absent on envelopes published before versions: 1. */
  schemaVersion?: number;
}

/** Each event type's fields, as its interface above declares them (a new type fails to compile until listed here); the AsyncAPI schemas (asyncapi.ts) are built from these. */
export const REGISTRY_EVENT_FIELDS: { [T in RegistryEvent['type']]: Record<string, FieldKind> } = {
  AgencyRegistered: {
    code102: 'string',
    nameVi: 'string',
    nameEn: 'string',
    level: 'number',
    category: 'string',
    codeConfirmed: 'boolean',
    hasLgsp: 'boolean',
  },
  SubsystemRegistered: { subsystem: 'string', agency: 'string', name: 'string', role: ['client', 'provider'], testClient: 'boolean?' },
  ServiceRegistered: {
    service: 'string',
    provider: 'string',
    serviceCode: 'string',
    version: 'string',
    method: 'string',
    database: 'string',
    description: 'string',
  },
  AccessGranted: { client: 'string', service: 'string' },
  AccessRevoked: { client: 'string', service: 'string' },
  CredentialIssued: { client: 'string', keyId: 'string', keyHash: 'string' },
  CredentialRevoked: { client: 'string', keyId: 'string' },
  CertificateRegistered: { client: 'string', fingerprint: 'string', subject: 'string', notAfter: 'string' },
  CertificateRevoked: { client: 'string', fingerprint: 'string' },
  OperatorCredentialIssued: { lgsp: 'string', keyId: 'string', keyHash: 'string' },
  OperatorCredentialRevoked: { lgsp: 'string', keyId: 'string' },
};

/**
 * Reads one record of the registry topic. Pure and never throws: every
 * process folds this topic from the start, so one record it cannot read
 * must be skipped (with the reason) rather than stop every later change.
 */
export function parseRegistryEnvelope(text: string): Parsed<RegistryEventEnvelope> {
  const r = readRecord(text, REGISTRY_SCHEMA_VERSION);
  if (!r.ok) return r;
  const v = r.value.value;
  if (!Number.isSafeInteger(v.globalPosition) || (v.globalPosition as number) < 1) return invalid('globalPosition is not a positive integer');
  if (typeof v.streamId !== 'string' || !Number.isSafeInteger(v.streamVersion) || typeof v.recordedAt !== 'string')
    return invalid('streamId, streamVersion or recordedAt is missing or mistyped');
  if (!isObject(v.event)) return invalid('event is not an object');
  const bad = checkTyped(v.event, REGISTRY_EVENT_FIELDS);
  return bad ? invalid(bad) : ok(v as unknown as RegistryEventEnvelope);
}
