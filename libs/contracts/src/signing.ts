import { createHmac, createSecretKey, KeyObject, timingSafeEqual } from 'crypto';

/**
 * Message authentication between the platform's own parts over Kafka. Kafka
 * carries no sender identity the consumer can check, so whoever can write to a
 * topic could pose as a gateway (to the hub) or as the hub (to a national
 * database). The producer signs each request with a key it shares with the
 * consumer; the consumer refuses what it cannot verify.
 *
 * Two keys, two links: PLATFORM_SIGNING_KEY between the LGSP gateways and the
 * hub (ndxp.hub.requests), PROVIDER_SIGNING_KEY between the hub and the
 * national databases (ndxp.provider.*.requests). A gateway never holds the
 * second, so it cannot skip the hub's access check by writing to a database's
 * topic. The topic is part of what is signed: a signature made for one link
 * does not verify on the other even if an operator sets both keys alike.
 *
 * HMAC-SHA256 over the message's value bytes and the headers its consumer acts
 * on (operation, correlation id, reply topic, deadline): a signed request
 * cannot be redirected to another reply topic or given another deadline.
 */

/** Minimum length of a signing key (characters): 32, about 190 bits as `openssl rand -hex 24` writes 48. */
export const MIN_SIGNING_KEY_LENGTH = 32;

/** Development defaults: public (README, source), so refused outside development mode. */
export const DEFAULT_PLATFORM_SIGNING_KEY = 'ndxp-dev-platform-signing-key-public';
export const DEFAULT_PROVIDER_SIGNING_KEY = 'ndxp-dev-provider-signing-key-public';

/** The signature (KafkaHeaders.signature) is `v1=` and the HMAC in base64url (43 characters). */
const VERSION = 'v1=';

/** A key ready for HMAC: built once at start-up, not per message. */
export type SigningKey = KeyObject;

export function signingKey(secret: string): SigningKey {
  if (typeof secret !== 'string' || secret.length < MIN_SIGNING_KEY_LENGTH) throw new Error(`a signing key must be at least ${MIN_SIGNING_KEY_LENGTH} characters`);
  return createSecretKey(Buffer.from(secret, 'utf8'));
}

/** What is signed besides the value. Absent headers count as ''. */
export interface SignedEnvelope {
  topic: string;
  operation?: string;
  correlationId?: string;
  replyTo?: string;
  deadline?: string;
}

function mac(key: SigningKey, env: SignedEnvelope, value: Buffer | string | null | undefined): Buffer {
  // The envelope as a JSON array (unambiguous whatever the strings hold), a newline, then the value bytes.
  const head = JSON.stringify([env.topic, env.operation ?? '', env.correlationId ?? '', env.replyTo ?? '', env.deadline ?? '']);
  const h = createHmac('sha256', key).update(head).update('\n');
  if (value !== null && value !== undefined) h.update(value);
  return h.digest();
}

/** The signature header's value for a message. A string value is signed as its UTF-8 bytes (what Kafka carries). */
export function signMessage(key: SigningKey, env: SignedEnvelope, value: Buffer | string | null | undefined): string {
  return VERSION + mac(key, env, value).toString('base64url');
}

export type SignatureCheck = 'valid' | 'missing' | 'invalid';

/** Checks a message's signature header (constant time). Never throws: junk in the header is `invalid`. */
export function verifyMessage(key: SigningKey, env: SignedEnvelope, value: Buffer | string | null | undefined, signature: string | undefined): SignatureCheck {
  if (signature === undefined || signature === '') return 'missing';
  if (!signature.startsWith(VERSION) || signature.length !== VERSION.length + 43) return 'invalid';
  const given = Buffer.from(signature.slice(VERSION.length), 'base64url');
  if (given.length !== 32) return 'invalid';
  return timingSafeEqual(given, mac(key, env, value)) ? 'valid' : 'invalid';
}
