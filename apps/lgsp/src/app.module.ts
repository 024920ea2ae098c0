import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, PlatformModule } from '@ndxp/platform';
import { GatewayModule } from './gateway/gateway.module';

@Module({})
export class LgspAppModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: LgspAppModule,
      imports: [PlatformModule.forApp({ app: 'lgsp', config, schema: 'lgsp' }), GatewayModule],
    };
  }
}
