import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, registerDecorator, ValidateIf, ValidationArguments } from 'class-validator';
import { DEFAULT_PLATFORM_SIGNING_KEY, FAULT_CODE_STYLES, FaultCodeStyle, LgspKeyring, parseLgspSigningKeys } from '@ndxp/contracts';
import { AppConfig, IsSigningKey } from '@ndxp/platform';
import { JOURNAL_BODY_MODES, JournalBodyMode } from './journal/masking';

const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value);

export class LgspConfig extends AppConfig {
  /** Which LGSPs this process hosts: `all` (the 85 of the registry) or agency codes, comma-separated. */
  @Matches(/^(all|\d{3}\.\d{2}\.\d{2}\.[A-K]\d{2}(,\d{3}\.\d{2}\.\d{2}\.[A-K]\d{2})*)$/, {
    message: 'must be "all" or agency codes separated by commas, e.g. 000.00.00.H26,000.00.00.H29',
  })
  LGSP_AGENCIES!: string;

  /** This process's share of the LGSPs when several run side by side: i/N (1-based). */
  @Matches(/^([1-9]\d?)\/([1-9]\d?)$/, { message: 'must be i/N with 1 <= i <= N, e.g. 2/3' })
  LGSP_SHARD!: string;

  get shard(): { index: number; count: number } {
    const [i, n] = this.LGSP_SHARD.split('/').map(Number);
    if (i > n) throw new Error(`LGSP_SHARD ${this.LGSP_SHARD}: i must not exceed N`);
    return { index: i - 1, count: n };
  }

  /** Deadline of one exchange, end to end (ms). */
  @Transform(toInt) @IsInt({ message: 'must be a whole number of milliseconds' }) @Min(100) @Max(120_000) EXCHANGE_TIMEOUT_MS!: number;

  /** How long a completed answer is kept for a retry with the same Idempotency-Key (s). */
  @Transform(toInt) @IsInt({ message: 'must be a whole number of seconds' }) @Min(0) @Max(86_400) IDEMPOTENCY_TTL_S!: number;

  /**
   * How fault codes are written: `camel` as X-Road up to 7.7 (`Server.ServerProxy.AccessDenied`, the default), `snake` as
   * 7.8 and later (`server.serverproxy.access_denied`).
   */
  @IsIn(FAULT_CODE_STYLES, { message: 'must be camel (X-Road up to 7.7) or snake (7.8 and later)' }) FAULT_CODE_STYLE!: FaultCodeStyle;

  /**
   * Requests a second each calling system (client subsystem, as its key says) may send through this gateway,
   * with bursts of twice that; past it, HTTP 429 `Server.ClientProxy.RateLimited` with Retry-After. 0 = no limit.
   */
  @Transform(toInt) @IsInt({ message: 'must be a whole number of requests a second (0 = no limit)' }) @Min(0) @Max(1_000_000) RATE_LIMIT_PER_CLIENT_RPS!: number;

  /** HTTPS beside HTTP on PORT (mutual TLS): the server certificate, its key and the CA that signs client certificates (PEM files). */
  @IsOptional() @IsString() LGSP_TLS_CERT?: string;
  @IsOptional() @IsString() LGSP_TLS_KEY?: string;
  @IsOptional() @IsString() LGSP_TLS_CA?: string;

  /**
   * Only a registered TLS client certificate authenticates (X-Road's IS connection type HTTPS): X-API-Key and
   * plain HTTP are refused with `Server.ClientProxy.SslAuthenticationFailed`. Needs the LGSP_TLS_ files.
   */
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'must be true or false' })
  LGSP_TLS_REQUIRE_CERT!: boolean;

  /** What the request journal keeps of bodies (and of X-Road-UserId, X-Road-Issue): `masked` personal data (the default), `clear`, or `off` (no bodies). */
  @IsIn(JOURNAL_BODY_MODES, { message: 'must be masked (the default), clear or off' }) JOURNAL_BODIES!: JournalBodyMode;

  /** The request journal's bounds: its latest entries (0 = no journal) and the memory they may take (MiB); past either, the oldest go. */
  @Transform(toInt) @IsInt({ message: 'must be a whole number of entries (0 = no journal)' }) @Min(0) @Max(1_000_000) JOURNAL_MAX_ENTRIES!: number;
  @Transform(toInt) @IsInt({ message: 'must be a whole number of MiB' }) @Min(1) @Max(4096) JOURNAL_MAX_MB!: number;

  /**
   * Signs every request to the hub with the key of the LGSP it is for, derived from this key as the hub derives it:
   * a gateway holding it can sign for any LGSP. Not with LGSP_SIGNING_KEYS.
   */
  @ValidateIf((c: LgspConfig) => c.LGSP_SIGNING_KEYS === undefined)
  @IsSigningKey()
  PLATFORM_SIGNING_KEY?: string;

  /**
   * Instead of PLATFORM_SIGNING_KEY, the keys of the LGSPs this process hosts, `000.00.00.H26=<key>,…` (`npm run ndxp --
   * lgsp-keys` prints them): the process can then sign for those LGSPs only, and the hub refuses it for any other.
   */
  @IsOptional() @LgspSigningKeysFit() LGSP_SIGNING_KEYS?: string;

  /** The keys this process signs with: the given LGSPs' (LGSP_SIGNING_KEYS), or any LGSP's, derived from PLATFORM_SIGNING_KEY. */
  lgspKeyring(): LgspKeyring {
    if (this.LGSP_SIGNING_KEYS === undefined) return LgspKeyring.derivedFrom(this.PLATFORM_SIGNING_KEY!);
    const parsed = parseLgspSigningKeys(this.LGSP_SIGNING_KEYS);
    if (!parsed.ok) throw new Error(`LGSP_SIGNING_KEYS: ${parsed.reason}`); // validated at start: not reached
    return LgspKeyring.of(parsed.keys);
  }
}

/**
 * Why LGSP_SIGNING_KEYS cannot be used with the other settings, or undefined. The process must hold exactly the keys of
 * the LGSPs it hosts: so LGSP_AGENCIES lists them (`all` would host LGSPs it has no key for; a shard, LGSPs it holds keys
 * for without hosting them), and PLATFORM_SIGNING_KEY, from which every LGSP's key derives, is not set.
 */
export function lgspSigningKeysProblem(c: Pick<LgspConfig, 'LGSP_SIGNING_KEYS' | 'LGSP_AGENCIES' | 'LGSP_SHARD' | 'PLATFORM_SIGNING_KEY'>): string | undefined {
  if (c.LGSP_SIGNING_KEYS === undefined) return undefined;
  const parsed = parseLgspSigningKeys(c.LGSP_SIGNING_KEYS);
  if (!parsed.ok) return parsed.reason;
  if (c.PLATFORM_SIGNING_KEY !== undefined)
    return "is set with PLATFORM_SIGNING_KEY: a gateway given its LGSPs' keys must not hold the platform key (every LGSP's key derives from it); unset it";
  if (c.LGSP_AGENCIES === 'all') return 'needs LGSP_AGENCIES to list the LGSPs this process hosts, not "all": it can sign for those only';
  if (c.LGSP_SHARD !== '1/1') return `is not for a shard (LGSP_SHARD=${c.LGSP_SHARD}): give each process its own LGSP_AGENCIES and their keys`;
  const hosted = c.LGSP_AGENCIES.split(',');
  const missing = hosted.filter((code) => !parsed.keys.has(code));
  if (missing.length) return `lacks the key of ${missing.join(', ')}, which LGSP_AGENCIES lists`;
  const extra = [...parsed.keys.keys()].filter((code) => !hosted.includes(code));
  if (extra.length) return `holds the key of ${extra.join(', ')}, which LGSP_AGENCIES does not list: give a process the keys of its own LGSPs only`;
  return undefined;
}

function LgspSigningKeysFit(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'lgspSigningKeysFit',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: (args: ValidationArguments) => lgspSigningKeysProblem(args.object as LgspConfig) ?? '' },
      validator: { validate: (_: unknown, args: ValidationArguments) => lgspSigningKeysProblem(args.object as LgspConfig) === undefined },
    });
}

export const lgspDefaults = {
  LGSP_AGENCIES: 'all',
  LGSP_SHARD: '1/1',
  EXCHANGE_TIMEOUT_MS: '5000',
  IDEMPOTENCY_TTL_S: '600',
  FAULT_CODE_STYLE: 'camel',
  RATE_LIMIT_PER_CLIENT_RPS: '500',
  LGSP_TLS_REQUIRE_CERT: 'false',
  JOURNAL_BODIES: 'masked',
  JOURNAL_MAX_ENTRIES: '10000',
  JOURNAL_MAX_MB: '64',
  PLATFORM_SIGNING_KEY: DEFAULT_PLATFORM_SIGNING_KEY,
};

/** The defaults for this environment: with LGSP_SIGNING_KEYS the platform key has none (the gateway must not hold it). */
export function lgspDefaultsFor(env: NodeJS.ProcessEnv): Partial<typeof lgspDefaults> {
  if (!env.LGSP_SIGNING_KEYS) return lgspDefaults;
  const { PLATFORM_SIGNING_KEY: _platform, ...rest } = lgspDefaults;
  return rest;
}
