import { IsOptional, IsString, MinLength } from 'class-validator';
import { AppConfig } from '@ndxp/platform';
import { DEFAULT_SEED_SECRET } from '@ndxp/contracts';

export class RegistryConfig extends AppConfig {
  /** Derives the seeded API keys (see README: development only). */
  @IsString()
  @MinLength(8, { message: 'must be at least 8 characters' })
  REGISTRY_SEED_SECRET!: string;

  /** A replacement for data/domain/agency-codes.csv, e.g. an official list. */
  @IsOptional()
  @IsString()
  SEED_AGENCIES_FILE?: string;
}

export const registryDefaults = { REGISTRY_SEED_SECRET: DEFAULT_SEED_SECRET };
