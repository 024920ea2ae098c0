import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min, registerDecorator, ValidationArguments } from 'class-validator';
import { DEFAULT_PLATFORM_SIGNING_KEY, DEFAULT_PROVIDER_SIGNING_KEY } from '@ndxp/contracts';
import { AppConfig, IsSigningKey } from '@ndxp/platform';

/** The provider key must not be the gateways' key: a gateway holding it could write to a database's topic past the hub. */
function DiffersFrom(other: keyof NdxpConfig): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'differsFrom',
      target: target.constructor,
      propertyName: propertyName as string,
      constraints: [other],
      options: { message: `must differ from ${other} (the LGSP gateways hold that one; with the same key a gateway could call a national database past the hub)` },
      validator: { validate: (value: unknown, args: ValidationArguments) => value !== (args.object as Record<string, unknown>)[other] },
    });
}

export class NdxpConfig extends AppConfig {
  /** Checks that each LGSP request comes from a gateway (they sign with the same key); anything else is refused at the hub. */
  @IsSigningKey() PLATFORM_SIGNING_KEY!: string;

  /** Signs every request to the national databases, which refuse what they cannot verify. */
  @IsSigningKey() @DiffersFrom('PLATFORM_SIGNING_KEY') PROVIDER_SIGNING_KEY!: string;

  /**
   * Months of ledger rows kept: the current month and the months before it, whole partitions dropped past that (at start
   * and daily). 0 or unset: everything is kept. The daily counters (the statistics) are always kept.
   */
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value))
  @IsInt({ message: 'must be a whole number of months, 0-1200 (0: keep everything)' })
  @Min(0, { message: 'must be a whole number of months, 0-1200 (0: keep everything)' })
  @Max(1200, { message: 'must be a whole number of months, 0-1200 (0: keep everything)' })
  LEDGER_RETENTION_MONTHS?: number;
}

export const ndxpDefaults = { PLATFORM_SIGNING_KEY: DEFAULT_PLATFORM_SIGNING_KEY, PROVIDER_SIGNING_KEY: DEFAULT_PROVIDER_SIGNING_KEY };
