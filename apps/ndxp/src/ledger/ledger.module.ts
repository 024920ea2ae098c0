import { Module } from '@nestjs/common';
import { ProjectorService } from '../projection/projector.service';
import { LedgerRetentionService } from '../projection/retention.service';
import { LedgerReadGuard } from '@ndxp/platform';
import { LedgerController } from './ledger.controller';
import { LedgerService } from './ledger.service';
import { AuditModule } from '../audit/audit.module';

/** The ledger and its rebuild, which replays the admin audit trail too (AuditModule). */
@Module({
  imports: [AuditModule],
  providers: [ProjectorService, LedgerService, LedgerRetentionService, LedgerReadGuard],
  controllers: [LedgerController],
  exports: [ProjectorService, LedgerRetentionService],
})
export class LedgerModule {}
