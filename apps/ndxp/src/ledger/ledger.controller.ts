import { Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminGuard, AdminScoped, LedgerReader, LedgerReaderOf, LedgerReadGuard } from '@ndxp/platform';
import { AuditProjector } from '../audit/audit-projector.service';
import { ProjectorService } from '../projection/projector.service';
import { LedgerQueryDto, StatisticsQueryDto } from './ledger.dto';
import { LedgerService } from './ledger.service';

@ApiTags('ledger')
@Controller()
export class LedgerController {
  constructor(
    private readonly ledger: LedgerService,
    private readonly projector: ProjectorService,
    private readonly audit: AuditProjector,
  ) {}

  @Get('ledger')
  @UseGuards(LedgerReadGuard)
  @ApiBearerAuth()
  @ApiHeader({
    name: 'X-API-Key',
    required: false,
    description: "a client subsystem's API key (that subsystem's exchanges only) or an LGSP operator's key (that LGSP's exchanges); personal identifiers masked",
  })
  @ApiOperation({ summary: 'Transactions, newest first, filtered by client, service, LGSP, outcome and time window' })
  find(@Query() q: LedgerQueryDto, @LedgerReaderOf() reader: LedgerReader) {
    return this.ledger.find(q, reader);
  }

  @Get('ledger/:transactionId')
  @UseGuards(LedgerReadGuard)
  @ApiBearerAuth()
  @ApiHeader({ name: 'X-API-Key', required: false })
  one(@Param('transactionId') id: string, @LedgerReaderOf() reader: LedgerReader) {
    return this.ledger.one(id, reader);
  }

  @Get('statistics/daily')
  @UseGuards(LedgerReadGuard)
  @ApiBearerAuth()
  @ApiHeader({ name: 'X-API-Key', required: false, description: "a client subsystem's API key (its exchanges only) or an LGSP operator's key (that LGSP's)" })
  @ApiOperation({ summary: 'Transactions per calendar day (Vietnam), by database, outcome, service and client agency' })
  daily(@Query() q: StatisticsQueryDto, @LedgerReaderOf() reader: LedgerReader) {
    return this.ledger.daily(q, reader);
  }

  @Get('statistics/monthly')
  @UseGuards(LedgerReadGuard)
  @ApiBearerAuth()
  @ApiHeader({ name: 'X-API-Key', required: false })
  @ApiOperation({ summary: 'Transactions per month, in the same shape' })
  monthly(@Query() q: StatisticsQueryDto, @LedgerReaderOf() reader: LedgerReader) {
    return this.ledger.monthly(q, reader);
  }

  @Get('projection/status')
  @ApiOperation({ summary: 'How far the ledger is behind the transaction topic' })
  status() {
    return this.projector.lag();
  }

  @Post('admin/projection/rebuild')
  @HttpCode(200)
  @UseGuards(AdminGuard)
  @AdminScoped('projection')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Drop the ledger and counters and replay the transaction topic from offset zero; the admin audit trail likewise from its topic (audit: its events and time)',
  })
  async rebuild() {
    // Independent groups and tables: replayed side by side, each as long as its consumer takes to join; both finished before any answer.
    const [ledger, audit] = await Promise.allSettled([this.projector.rebuild(), this.audit.rebuild()]);
    if (ledger.status === 'rejected') throw ledger.reason;
    if (audit.status === 'rejected') throw audit.reason;
    return { ...ledger.value, audit: audit.value };
  }
}
