import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '@ndxp/platform';
import { DataSource } from 'typeorm';
import { auditItem, auditQuery, AuditRow } from './audit-rows';
import { AuditQueryDto } from './audit.dto';

/**
 * The admin audit trail of every app. Read with ADMIN_TOKEN only (AdminGuard's default scope): the scoped
 * tokens are the ones audited, and an operator should not read, with the narrow key they were given, what
 * the holders of the others did. Reading is not itself audited (a read changes nothing).
 */
@ApiTags('admin audit')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('admin/audit')
export class AuditController {
  constructor(private readonly db: DataSource) {}

  @Get()
  @ApiOperation({
    summary: 'Every admin change on the platform, let through or refused, newest first: who (credential, remote address), what (app, scope, method, route, summary), when, outcome',
    description:
      'Projected from ndxp.admin-audit; an outcome with statusCode null is not recorded (yet). Refused attempts from one remote address are recorded ' +
      'at most once every 10 s: outcome.count is how many such a row stands for (1 for every other row). Needs ADMIN_TOKEN.',
  })
  async find(@Query() q: AuditQueryDto) {
    const { sql, params } = auditQuery(q);
    const rows: AuditRow[] = await this.db.query(sql, params);
    return { items: rows.map(auditItem), count: rows.length, limit: params[params.length - 1] };
  }
}
