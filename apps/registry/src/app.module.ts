import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, PlatformModule } from '@ndxp/platform';
import { RegistryEventStore1763920000000 } from './migrations/1763920000000-registry-event-store';

@Module({})
export class RegistryAppModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: RegistryAppModule,
      imports: [
        PlatformModule.forApp({
          app: 'registry',
          config,
          schema: 'registry',
          migrations: [RegistryEventStore1763920000000],
        }),
      ],
    };
  }
}
