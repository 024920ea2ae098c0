import { DynamicModule, Module } from '@nestjs/common';
import { AdminGuard, PlatformModule } from '@ndxp/platform';
import { RegistryEventStore1763920000000 } from './migrations/1763920000000-registry-event-store';
import { RegistryConfig } from './registry.config';
import { RegistryModule } from './registry/registry.module';

@Module({})
export class RegistryAppModule {
  static register(config: RegistryConfig): DynamicModule {
    return {
      module: RegistryAppModule,
      imports: [PlatformModule.forApp({ app: 'registry', config, schema: 'registry', migrations: [RegistryEventStore1763920000000] }), RegistryModule],
      providers: [{ provide: RegistryConfig, useValue: config }, AdminGuard],
      exports: [RegistryConfig],
      global: true,
    };
  }
}
