import { DynamicModule, Module } from '@nestjs/common';
import { AdminGuard, PlatformModule, RegistryViewModule } from '@ndxp/platform';
import { AuditModule } from './audit/audit.module';
import { LedgerModule } from './ledger/ledger.module';
import { NDXP_MIGRATIONS } from './migrations';
import { RoutingModule } from './routing/routing.module';
import { NdxpMetricsService } from './observability/ndxp-metrics.service';
import { NdxpConfig } from './ndxp.config';

@Module({})
export class NdxpAppModule {
  static register(config: NdxpConfig): DynamicModule {
    return {
      module: NdxpAppModule,
      imports: [PlatformModule.forApp({ app: 'ndxp', config, schema: 'ndxp', migrations: NDXP_MIGRATIONS }), RegistryViewModule, RoutingModule, LedgerModule, AuditModule],
      providers: [AdminGuard, NdxpMetricsService, { provide: NdxpConfig, useValue: config }],
      exports: [NdxpMetricsService, NdxpConfig],
      global: true,
    };
  }
}
