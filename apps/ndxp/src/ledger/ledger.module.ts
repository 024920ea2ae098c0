import { Module } from '@nestjs/common';
import { ProjectorService } from '../projection/projector.service';
import { LedgerController } from './ledger.controller';
import { LedgerService } from './ledger.service';

@Module({ providers: [ProjectorService, LedgerService], controllers: [LedgerController], exports: [ProjectorService] })
export class LedgerModule {}
