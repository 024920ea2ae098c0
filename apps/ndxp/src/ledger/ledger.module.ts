import { Module } from '@nestjs/common';
import { ProjectorService } from '../projection/projector.service';
import { LedgerReadGuard } from '@ndxp/platform';
import { LedgerController } from './ledger.controller';
import { LedgerService } from './ledger.service';

@Module({ providers: [ProjectorService, LedgerService, LedgerReadGuard], controllers: [LedgerController], exports: [ProjectorService] })
export class LedgerModule {}
