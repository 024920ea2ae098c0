import { Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminGuard, AdminScoped } from '@ndxp/platform';
import { ProjectorService } from '../projection/projector.service';
import { LedgerQueryDto, StatisticsQueryDto } from './ledger.dto';
import { LedgerService } from './ledger.service';

@ApiTags('ledger')
@Controller()
export class LedgerController {
  constructor(
    private readonly ledger: LedgerService,
    private readonly projector: ProjectorService,
  ) {}

  @Get('ledger')
  @ApiOperation({ summary: 'Transactions, newest first, filtered by client, service, LGSP, outcome and time window' })
  find(@Query() q: LedgerQueryDto) {
    return this.ledger.find(q);
  }

  @Get('ledger/:transactionId')
  one(@Param('transactionId') id: string) {
    return this.ledger.one(id);
  }

  @Get('statistics/daily')
  @ApiOperation({ summary: 'Transactions per calendar day (Vietnam), by database, outcome, service and client agency' })
  daily(@Query() q: StatisticsQueryDto) {
    return this.ledger.daily(q);
  }

  @Get('statistics/monthly')
  @ApiOperation({ summary: 'Transactions per month, in the same shape' })
  monthly(@Query() q: StatisticsQueryDto) {
    return this.ledger.monthly(q);
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
  @ApiOperation({ summary: 'Drop the ledger and counters and replay the transaction topic from offset zero' })
  rebuild() {
    return this.projector.rebuild();
  }
}
