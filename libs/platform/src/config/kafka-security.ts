import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, ValidateIf } from 'class-validator';
import { loadConfig } from './load-config';

export const SASL_MECHANISMS = ['scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** How a Kafka client authenticates and whether it speaks TLS. Empty: plaintext, no authentication (the default). */
export interface KafkaSecurity {
  ssl?: boolean;
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
}

// SASL takes all three settings or none: any one set makes the other two required, so a half-set
// configuration stops the app naming what is missing instead of connecting without authentication.
const anySaslSetting = (c: KafkaSecurityConfig): boolean => c.KAFKA_SASL_MECHANISM !== undefined || c.KAFKA_SASL_USERNAME !== undefined || c.KAFKA_SASL_PASSWORD !== undefined;
const TOGETHER = 'KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD go together';

/** The Kafka client's security settings: every app reads them (AppConfig extends this), and so does the launcher. */
export class KafkaSecurityConfig {
  /** SASL/SCRAM mechanism of the brokers' listener: scram-sha-256 or scram-sha-512 (any case). */
  @ValidateIf(anySaslSetting)
  @Transform(({ value }) => (typeof value === 'string' ? value.toLowerCase() : value))
  @IsIn(SASL_MECHANISMS, { message: `must be scram-sha-256 or scram-sha-512 (${TOGETHER})` })
  KAFKA_SASL_MECHANISM?: string;

  @ValidateIf(anySaslSetting)
  @IsString({ message: `must be set (${TOGETHER})` })
  KAFKA_SASL_USERNAME?: string;

  @ValidateIf(anySaslSetting)
  @IsString({ message: `must be set (${TOGETHER})` })
  KAFKA_SASL_PASSWORD?: string;

  /** TLS to the brokers (SASL_SSL or SSL listeners), verified against the system's CAs. */
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'must be true or false' })
  KAFKA_SSL?: string;

  get kafkaSecurity(): KafkaSecurity {
    const security: KafkaSecurity = { ssl: this.KAFKA_SSL === 'true' };
    if (this.KAFKA_SASL_MECHANISM)
      security.sasl = { mechanism: this.KAFKA_SASL_MECHANISM as SaslMechanism, username: this.KAFKA_SASL_USERNAME!, password: this.KAFKA_SASL_PASSWORD! };
    return security;
  }
}

/** The Kafka security settings of an environment, for a process that is not an app (the launcher, a tool); throws a ConfigError naming a bad one. */
export function kafkaSecurityFrom(env: NodeJS.ProcessEnv, who = 'launcher'): KafkaSecurity {
  return loadConfig(who, KafkaSecurityConfig, env).kafkaSecurity;
}
