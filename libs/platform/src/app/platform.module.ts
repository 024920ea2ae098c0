import { DynamicModule, Module } from '@nestjs/common';
import { DataSourceOptions } from 'typeorm';
import { MetricsModule } from '@ndxp/metrics';
import { AppConfig, AppName } from '../config/app-config';
import { DatabaseModule } from '../database/database.module';
import { KafkaModule } from '../kafka/kafka.module';
import { APP_NAME, HealthController } from '../health/health.controller';
import { AdminAudit } from '../http/admin-audit';

export interface PlatformOptions {
  app: AppName;
  config: AppConfig;
  schema: string;
  entities?: DataSourceOptions['entities'];
  migrations?: DataSourceOptions['migrations'];
}

/** What every app gets: config, Kafka, its Postgres schema with migrations, /health and /metrics, the admin audit (AdminGuard's). */
@Module({})
export class PlatformModule {
  static forApp(o: PlatformOptions): DynamicModule {
    return {
      module: PlatformModule,
      global: true,
      imports: [
        KafkaModule.forRoot({
          clientId: o.config.INSTANCE_ID,
          brokers: o.config.kafkaBrokers,
          sessionTimeoutMs: o.config.KAFKA_SESSION_TIMEOUT_MS,
          lingerMs: o.config.KAFKA_LINGER_MS,
          fetchMaxWaitMs: o.config.KAFKA_FETCH_MAX_WAIT_MS,
          fetchMinBytes: o.config.KAFKA_FETCH_MIN_BYTES,
          security: o.config.kafkaSecurity,
        }),
        DatabaseModule.forApp({
          url: o.config.DATABASE_URL,
          schema: o.schema,
          entities: o.entities ?? [],
          migrations: o.migrations ?? [],
        }),
        MetricsModule.forApp(o.app, o.config.INSTANCE_ID),
      ],
      controllers: [HealthController],
      providers: [{ provide: APP_NAME, useValue: { name: o.app, instance: o.config.INSTANCE_ID } }, { provide: AppConfig, useValue: o.config }, AdminAudit],
      exports: [APP_NAME, AppConfig, AdminAudit],
    };
  }
}
