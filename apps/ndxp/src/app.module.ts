import { DynamicModule, Module } from '@nestjs/common';
import { AdminGuard, PlatformModule, RegistryViewModule } from '@ndxp/platform';
import { LedgerModule } from './ledger/ledger.module';
import { Ledger1763940000000 } from './migrations/1763940000000-ledger';
import { LedgerInjected1764480000000 } from './migrations/1764480000000-ledger-injected';
import { RoutingModule } from './routing/routing.module';
import { NdxpMetricsService } from './observability/ndxp-metrics.service';
import { NdxpConfig } from './ndxp.config';

@Module({})
export class NdxpAppModule {
  static register(config: NdxpConfig): DynamicModule {
    return {
      module: NdxpAppModule,
      imports: [
        PlatformModule.forApp({ app: 'ndxp', config, schema: 'ndxp', migrations: [Ledger1763940000000, LedgerInjected1764480000000] }),
        RegistryViewModule,
        RoutingModule,
        LedgerModule,
      ],
      providers: [AdminGuard, NdxpMetricsService, { provide: NdxpConfig, useValue: config }],
      exports: [NdxpMetricsService, NdxpConfig],
      global: true,
    };
  }
}
