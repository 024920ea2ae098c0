import { Transform } from 'class-transformer';
import { IsInt, Matches, Max, Min } from 'class-validator';
import { AppConfig } from '@ndxp/platform';

const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value);

export class LgspConfig extends AppConfig {
  /** Which LGSPs this process hosts: `all` (the 85 of the registry) or agency codes, comma-separated. */
  @Matches(/^(all|\d{3}\.\d{2}\.\d{2}\.[A-K]\d{2}(,\d{3}\.\d{2}\.\d{2}\.[A-K]\d{2})*)$/, {
    message: 'must be "all" or agency codes separated by commas, e.g. 000.00.00.H26,000.00.00.H29',
  })
  LGSP_AGENCIES!: string;

  /** Deadline of one exchange, end to end (ms). */
  @Transform(toInt) @IsInt({ message: 'must be a whole number of milliseconds' }) @Min(100) @Max(120_000) EXCHANGE_TIMEOUT_MS!: number;

  /** How long an answer is kept for a retry with the same X-Road-Id (s). */
  @Transform(toInt) @IsInt({ message: 'must be a whole number of seconds' }) @Min(0) @Max(86_400) IDEMPOTENCY_TTL_S!: number;
}

export const lgspDefaults = { LGSP_AGENCIES: 'all', EXCHANGE_TIMEOUT_MS: '5000', IDEMPOTENCY_TTL_S: '600' };
