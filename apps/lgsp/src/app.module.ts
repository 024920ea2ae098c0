import { DynamicModule, Module } from '@nestjs/common';
import { PlatformModule, RegistryViewModule } from '@ndxp/platform';
import { GatewayModule } from './gateway/gateway.module';
import { LgspConfig } from './lgsp.config';

@Module({})
export class LgspAppModule {
  static register(config: LgspConfig): DynamicModule {
    return {
      module: LgspAppModule,
      global: true,
      imports: [PlatformModule.forApp({ app: 'lgsp', config, schema: 'lgsp' }), RegistryViewModule, GatewayModule],
      providers: [{ provide: LgspConfig, useValue: config }],
      exports: [LgspConfig],
    };
  }
}
