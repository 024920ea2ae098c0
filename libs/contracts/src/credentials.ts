import { createHash, createHmac, randomBytes } from 'crypto';

const API_KEY_PREFIX = 'ndxp_';
const OPERATOR_KEY_PREFIX = 'ndxpop_';

/**
 * API keys for client subsystems. Stored and published only as SHA-256
 * hashes: keys are 192 random bits, so a fast hash is enough (no password
 * stretching needed for high-entropy secrets).
 */
export function newApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
}

/** A key of an LGSP's operator (reads only): its own prefix, so that a leaked one is told from a client's at a glance. */
export function newOperatorKey(): string {
  return `${OPERATOR_KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
}

/** The keys made here: a prefix, then base64url (32 characters; 20 or more counts, so that a shortened one is caught too). */
const PLATFORM_KEY = new RegExp(`^(?:${API_KEY_PREFIX}|${OPERATOR_KEY_PREFIX})[A-Za-z0-9_-]{20,}$`);

/**
 * Whether `text` is, by its look, a key the platform issues: a client subsystem's (newApiKey, seedApiKey) or an
 * LGSP operator's (newOperatorKey). For redacting a key wherever it turns up, whatever the field holding it is called.
 */
export function looksLikePlatformKey(text: string): boolean {
  return PLATFORM_KEY.test(text);
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
  return `${API_KEY_PREFIX}${createHmac('sha256', seedSecret).update(client).digest('base64url').slice(0, 32)}`;
}

export const DEFAULT_SEED_SECRET = 'ndxp-emulator-dev-seed';
