import { createHmac, createSecretKey, KeyObject, timingSafeEqual } from 'crypto';
import { isAgencyCode } from './identifiers/agency-code';

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
 *
 * On the gateways' link each LGSP has a key of its own, derived from
 * PLATFORM_SIGNING_KEY (lgspSigningSecret): a gateway signs a request with the
 * key of the LGSP it forwards for, and the hub verifies it with the key of the
 * LGSP the request's `lgsp` field names, so a gateway holding only its own
 * LGSPs' keys (LGSP_SIGNING_KEYS) cannot speak for another LGSP.
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

/**
 * The signing secret of one LGSP on the gateways' link: HMAC-SHA256(PLATFORM_SIGNING_KEY, 'lgsp:' + code), hex (64
 * characters). One-way: an LGSP's secret tells nothing of the platform key nor of another LGSP's. Pure.
 */
export function lgspSigningSecret(platformSecret: string, lgsp: string): string {
  if (typeof platformSecret !== 'string' || platformSecret.length < MIN_SIGNING_KEY_LENGTH) throw new Error(`a signing key must be at least ${MIN_SIGNING_KEY_LENGTH} characters`);
  return createHmac('sha256', platformSecret).update(`lgsp:${lgsp}`).digest('hex');
}

/** LGSP_SIGNING_KEYS as read: LGSP agency code → its signing secret. */
export type LgspSigningKeys = Map<string, string>;

/**
 * Reads `000.00.00.H26=<secret>,000.00.00.H29=<secret>`: each code once, each secret at least MIN_SIGNING_KEY_LENGTH
 * characters without spaces or commas. The reason never repeats a secret (it goes to logs).
 */
export function parseLgspSigningKeys(text: string): { ok: true; keys: LgspSigningKeys } | { ok: false; reason: string } {
  const keys: LgspSigningKeys = new Map();
  const pairs = text.split(',');
  for (const [i, pair] of pairs.entries()) {
    const eq = pair.indexOf('=');
    const code = eq < 0 ? pair.trim() : pair.slice(0, eq).trim();
    const secret = eq < 0 ? '' : pair.slice(eq + 1).trim();
    const where = `entry ${i + 1} of ${pairs.length}`;
    if (!isAgencyCode(code)) return { ok: false, reason: `${where} must start with an LGSP's agency code and "=", e.g. 000.00.00.H26=<its key>` };
    if (keys.has(code)) return { ok: false, reason: `${code} is given twice` };
    if (!new RegExp(`^\\S{${MIN_SIGNING_KEY_LENGTH},}$`).test(secret))
      return { ok: false, reason: `the key of ${code} must be at least ${MIN_SIGNING_KEY_LENGTH} characters without spaces (got ${secret.length})` };
    keys.set(code, secret);
  }
  return { ok: true, keys };
}

/** How many derived keys a keyring keeps built: far above the 85 LGSPs; codes past it are derived anew each time (a request may name any code). */
const DERIVED_CACHE_LIMIT = 1024;

/**
 * The keys of the LGSPs on the gateways' link: derived from the platform key (the hub; a gateway given it), or
 * given one by one (a gateway given LGSP_SIGNING_KEYS, which can then sign for those LGSPs only).
 */
export class LgspKeyring {
  private readonly built = new Map<string, SigningKey>();

  private constructor(
    private readonly platformSecret: string | undefined,
    private readonly given: LgspSigningKeys | undefined,
  ) {}

  static derivedFrom(platformSecret: string): LgspKeyring {
    lgspSigningSecret(platformSecret, ''); // refuses a short key now, not at the first message
    return new LgspKeyring(platformSecret, undefined);
  }

  static of(keys: LgspSigningKeys): LgspKeyring {
    const ring = new LgspKeyring(undefined, keys);
    for (const [code, secret] of keys) ring.built.set(code, signingKey(secret));
    return ring;
  }

  /** The LGSPs this keyring can sign for: `all` when it derives them. */
  get lgsps(): string[] | 'all' {
    return this.given ? [...this.given.keys()] : 'all';
  }

  /** The key of an LGSP, or undefined: not an agency code, or (given keys) not one of them. Never throws. */
  keyFor(lgsp: unknown): SigningKey | undefined {
    if (typeof lgsp !== 'string' || !isAgencyCode(lgsp)) return undefined;
    const known = this.built.get(lgsp);
    if (known || this.platformSecret === undefined) return known;
    const key = signingKey(lgspSigningSecret(this.platformSecret, lgsp));
    if (this.built.size < DERIVED_CACHE_LIMIT) this.built.set(lgsp, key);
    return key;
  }
}
