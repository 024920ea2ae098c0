import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { DEFAULT_PROVIDER_SIGNING_KEY } from '@ndxp/contracts';
import { AppConfig, IsSigningKey } from '@ndxp/platform';

const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value);

export class ProvidersConfig extends AppConfig {
  /** Seed of the synthetic records: the same seed gives the same records. */
  @Transform(toInt) @IsInt({ message: 'must be a whole number' }) @Min(0) NATIONAL_SEED!: number;
  /** Citizens generated into an empty population table at start. */
  @Transform(toInt) @IsInt({ message: 'must be a whole number' }) @Min(10) @Max(100_000_000) NATIONAL_CITIZENS!: number;
  @Transform(toInt) @IsInt({ message: 'must be a whole number' }) @Min(10) @Max(10_000_000) NATIONAL_ENTERPRISES!: number;
  /** Checks that each request comes from the hub (which signs with the same key); anything else is refused. */
  @IsSigningKey() PROVIDER_SIGNING_KEY!: string;
}

export const providersDefaults = { NATIONAL_SEED: '20221231', NATIONAL_CITIZENS: '20000', NATIONAL_ENTERPRISES: '5000', PROVIDER_SIGNING_KEY: DEFAULT_PROVIDER_SIGNING_KEY };
