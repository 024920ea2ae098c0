import { Global, Module } from '@nestjs/common';
import { emptyRegistryView } from '@ndxp/contracts';
import { AdminGuard, RegistryViewService } from '@ndxp/platform';
import { NdxpMetricsService } from '../../apps/ndxp/src/observability/ndxp-metrics.service';

/** What NdxpMetricsService needs of the registry: an empty view that is ready at once. */
const registryViewStub = { state: emptyRegistryView(), ready: Promise.resolve() };

/** What the ledger module needs beside the platform, for a projector tested alone: no registry, no hub. */
@Global()
@Module({
  providers: [AdminGuard, NdxpMetricsService, { provide: RegistryViewService, useValue: registryViewStub }],
  exports: [AdminGuard, NdxpMetricsService, RegistryViewService],
})
export class ProjectorDependencies {}
