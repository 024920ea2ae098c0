import { Module } from '@nestjs/common';
import { AdminController } from '../admin/admin.controller';
import { CatalogueController } from '../catalogue/catalogue.controller';
import { EventStore } from '../event-store/event-store';
import { OutboxRelayService } from '../event-store/outbox-relay.service';
import { SeedService } from '../seed/seed.service';
import { RegistryService } from './registry.service';

@Module({
  providers: [EventStore, OutboxRelayService, RegistryService, SeedService],
  controllers: [AdminController, CatalogueController],
})
export class RegistryModule {}
