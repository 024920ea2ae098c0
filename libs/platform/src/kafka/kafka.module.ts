import { DynamicModule, Global, Module } from '@nestjs/common';
import { KafkaService, KafkaSettings } from './kafka.service';

@Global()
@Module({})
export class KafkaModule {
  static forRoot(settings: KafkaSettings): DynamicModule {
    return {
      module: KafkaModule,
      providers: [{ provide: KafkaService, useFactory: () => new KafkaService(settings) }],
      exports: [KafkaService],
    };
  }
}
