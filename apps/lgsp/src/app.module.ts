import { DynamicModule, Module } from '@nestjs/common';
import { PlatformModule, RegistryViewModule } from '@ndxp/platform';
import { GatewayModule } from './gateway/gateway.module';
import { LgspConfig } from './lgsp.config';
import { EventSpool1764460000000 } from './migrations/1764460000000-event-spool';

@Module({})
export class LgspAppModule {
  static register(config: LgspConfig): DynamicModule {
    return {
      module: LgspAppModule,
      global: true,
      imports: [PlatformModule.forApp({ app: 'lgsp', config, schema: 'lgsp', migrations: [EventSpool1764460000000] }), RegistryViewModule, GatewayModule],
      providers: [{ provide: LgspConfig, useValue: config }],
      exports: [LgspConfig],
    };
  }
}
