import { DynamicModule, Module } from '@nestjs/common';
import { AdminGuard, PlatformModule } from '@ndxp/platform';
import { NationalDatabases1763930000000 } from './migrations/1763930000000-national-databases';
import { NationalModule } from './national/national.module';
import { ProvidersConfig } from './providers.config';

@Module({})
export class ProvidersAppModule {
  static register(config: ProvidersConfig): DynamicModule {
    return {
      module: ProvidersAppModule,
      global: true,
      imports: [PlatformModule.forApp({ app: 'providers', config, schema: 'national', migrations: [NationalDatabases1763930000000] }), NationalModule],
      providers: [{ provide: ProvidersConfig, useValue: config }, AdminGuard],
      exports: [ProvidersConfig],
    };
  }
}
