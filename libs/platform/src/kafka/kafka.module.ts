import { DynamicModule, Global, Module } from '@nestjs/common';
import { METRICS_REGISTRY } from '@ndxp/metrics';
import { Registry } from 'prom-client';
import { KafkaService, KafkaSettings } from './kafka.service';

@Global()
@Module({})
export class KafkaModule {
  static forRoot(settings: KafkaSettings): DynamicModule {
    return {
      module: KafkaModule,
      providers: [{ provide: KafkaService, useFactory: (registry: Registry) => new KafkaService(settings, registry), inject: [METRICS_REGISTRY] }],
      exports: [KafkaService],
    };
  }
}
