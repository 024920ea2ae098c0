import { createHash, createHmac, randomBytes } from 'crypto';

/**
 * API keys for client subsystems. Stored and published only as SHA-256
 * hashes: keys are 192 random bits, so a fast hash is enough (no password
 * stretching needed for high-entropy secrets).
 */
export function newApiKey(): string {
  return `ndxp_${randomBytes(24).toString('base64url')}`;
}

/** A key of an LGSP's operator (reads only): its own prefix, so that a leaked one is told from a client's at a glance. */
export function newOperatorKey(): string {
  return `ndxpop_${randomBytes(24).toString('base64url')}`;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function keyIdOf(keyHash: string): string {
  return keyHash.slice(0, 12);
}

/**
 * The key the seed issues to a client subsystem: derived from a seed secret so
 * that a developer (and a test) can know it without reading it from a log.
 * Development only: set REGISTRY_SEED_SECRET to something private elsewhere.
 */
export function seedApiKey(seedSecret: string, client: string): string {
  return `ndxp_${createHmac('sha256', seedSecret).update(client).digest('base64url').slice(0, 32)}`;
}

export const DEFAULT_SEED_SECRET = 'ndxp-emulator-dev-seed';
