import { Module } from '@nestjs/common';
import { FaultBook } from '../faults/faults';
import { FaultsController } from '../faults/faults.controller';
import { NationalSeedService } from './national-seed.service';
import { NationalRepository } from './national.repository';
import { ProviderConsumerService } from './provider-consumer.service';

@Module({
  providers: [NationalRepository, NationalSeedService, ProviderConsumerService, { provide: FaultBook, useValue: new FaultBook() }],
  controllers: [FaultsController],
})
export class NationalModule {}
