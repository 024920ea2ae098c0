import { Module } from '@nestjs/common';
import { AuditProjector } from './audit-projector.service';
import { AuditController } from './audit.controller';

/** The admin audit trail: ndxp.admin-audit projected into ndxp.admin_audit, and GET /admin/audit. */
@Module({ providers: [AuditProjector], controllers: [AuditController], exports: [AuditProjector] })
export class AuditModule {}
