import { Module } from '@nestjs/common';
import { FaultRules } from '../faults/fault-rules';
import { FaultRulesController } from '../faults/fault-rules.controller';
import { FaultBook } from '../faults/faults';
import { FaultsController } from '../faults/faults.controller';
import { NationalSeedService } from './national-seed.service';
import { NationalRepository } from './national.repository';
import { ProviderConsumerService } from './provider-consumer.service';

@Module({
  providers: [
    NationalRepository,
    NationalSeedService,
    ProviderConsumerService,
    { provide: FaultBook, useValue: new FaultBook() },
    { provide: FaultRules, useValue: new FaultRules() },
  ],
  controllers: [FaultsController, FaultRulesController],
})
export class NationalModule {}
