import { Body, Controller, Delete, Get, Param, ParseEnumPipe, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminGuard, AdminScoped } from '@ndxp/platform';
import { FaultBook, NO_FAULTS } from './faults';
import { FaultSettingsDto } from './faults.dto';

enum Database {
  population = 'population',
  enterprise = 'enterprise',
  insurance = 'insurance',
}

@ApiTags('faults')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@AdminScoped('faults')
@Controller('admin/faults')
export class FaultsController {
  constructor(private readonly faults: FaultBook) {}

  @Get()
  @ApiOperation({ summary: 'Fault settings in force' })
  list() {
    return { faults: this.faults.list() };
  }

  @Put(':database')
  @ApiOperation({ summary: 'Set latency, error probability or outage for a database (or one of its services); takes effect on the next request' })
  set(@Param('database', new ParseEnumPipe(Database)) database: Database, @Body() dto: FaultSettingsDto) {
    const { service, ...rest } = dto;
    const settings = { ...NO_FAULTS, ...rest };
    this.faults.set(database, settings, service);
    return { database, service, ...settings };
  }

  @Delete(':database')
  @ApiOperation({ summary: "Clear a database's faults (or one service's)" })
  clear(@Param('database', new ParseEnumPipe(Database)) database: Database, @Query('service') service?: string) {
    this.faults.clear(database, service);
    return { faults: this.faults.list() };
  }

  @Delete()
  @ApiOperation({ summary: 'Clear every fault' })
  clearAll() {
    this.faults.clear();
    return { faults: [] };
  }
}
