import { Controller, Get, NotFoundException, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { RegistryService } from '../registry/registry.service';

/** Read-only, for connectors and people: who is who, and what can be called. No secrets here. */
@ApiTags('catalogue')
@Controller('catalogue')
export class CatalogueController {
  constructor(private readonly registry: RegistryService) {}

  @Get('agencies')
  @ApiOperation({ summary: 'Agencies with both code forms; codeConfirmed=false marks a code inferred, not confirmed' })
  @ApiQuery({ name: 'category', required: false })
  @ApiQuery({ name: 'lgsp', required: false, description: 'true: only agencies with an LGSP' })
  @ApiQuery({ name: 'q', required: false, description: 'name contains (Vietnamese or English)' })
  agencies(@Query('category') category?: string, @Query('lgsp') lgsp?: string, @Query('q') q?: string) {
    const needle = q?.toLowerCase();
    const items = [...this.registry.agencies.values()].filter(
      (a) =>
        (!category || a.category === category) &&
        (lgsp === undefined || a.hasLgsp === (lgsp === 'true')) &&
        (!needle || a.nameVi.toLowerCase().includes(needle) || a.nameEn.toLowerCase().includes(needle)),
    );
    return { total: items.length, items: items.map(({ type: _t, ...a }) => a) };
  }

  @Get('agencies/:code')
  agency(@Param('code') code: string) {
    const a = this.registry.agencies.get(code);
    if (!a) throw new NotFoundException(`agency ${code} is not registered`);
    const subsystems = [...this.registry.subsystems.values()].filter((s) => s.agency === code).map((s) => ({ subsystem: s.subsystem, name: s.name, role: s.role }));
    const { type: _t, ...rest } = a;
    return { ...rest, subsystems };
  }

  @Get('services')
  @ApiOperation({ summary: 'The service catalogue' })
  services() {
    return { items: [...this.registry.services.values()].map(({ type: _t, ...s }) => s) };
  }
}
