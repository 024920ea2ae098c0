import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, PlatformModule } from '@ndxp/platform';
import { RoutingModule } from './routing/routing.module';

@Module({})
export class NdxpAppModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: NdxpAppModule,
      imports: [PlatformModule.forApp({ app: 'ndxp', config, schema: 'ndxp' }), RoutingModule],
    };
  }
}
