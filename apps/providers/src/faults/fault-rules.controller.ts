import { BadRequestException, Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminGuard, AdminScoped, ApiErrorBody } from '@ndxp/platform';
import { FaultRules, MAX_FAULT_RULES, parseFaultRule } from './fault-rules';

@ApiTags('faults')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@AdminScoped('faults')
@Controller('admin/fault-rules')
export class FaultRulesController {
  constructor(private readonly rules: FaultRules) {}

  @Get()
  @ApiOperation({ summary: 'Fault rules in force, with their hits and what is left of their count' })
  list() {
    return { rules: this.rules.list() };
  }

  @Post()
  @ApiOperation({
    summary:
      'Add a fault rule: requests that match (client, service, method, path glob) get the action (latency, status, timeout) with a probability, ' +
      'for a count of calls, within a window; the first live rule that hits wins',
  })
  @ApiBody({
    schema: {
      example: { match: { client: 'VN/GOV/000.00.00.H26/MOTCUA', service: 'citizen-lookup', method: 'GET', path: '/0010*' }, action: { status: 503 }, probability: 1, count: 3 },
    },
  })
  add(@Body() body: unknown) {
    const parsed = parseFaultRule(body);
    if (!parsed.ok) throw new BadRequestException({ statusCode: 400, code: 'VALIDATION_FAILED', message: parsed.message } satisfies ApiErrorBody);
    const rule = this.rules.add(parsed.spec);
    if (!rule) throw new BadRequestException({ statusCode: 400, code: 'TOO_MANY_RULES', message: `at most ${MAX_FAULT_RULES} rules: delete some first` } satisfies ApiErrorBody);
    return this.rules.list().find((r) => r.id === rule.id);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete one fault rule' })
  delete(@Param('id') id: string) {
    if (!this.rules.delete(id)) throw new NotFoundException({ statusCode: 404, code: 'NOT_FOUND', message: `no fault rule ${id.slice(0, 100)}` } satisfies ApiErrorBody);
    return { rules: this.rules.list() };
  }

  @Delete()
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete every fault rule' })
  clear() {
    return { deleted: this.rules.clear(), rules: [] };
  }
}
