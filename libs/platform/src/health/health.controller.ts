import { Controller, Get, HttpStatus, Inject, Optional, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { ComponentHealth, KafkaService } from '../kafka/kafka.service';
import { RegistryViewService } from '../registry-view/registry-view.service';

export const APP_NAME = Symbol('APP_NAME');

export interface HealthReport {
  status: 'ok' | 'error';
  app: string;
  instance: string;
  pid: number;
  uptimeSeconds: number;
  checks: { kafka: ComponentHealth; postgres: ComponentHealth; registryView?: ComponentHealth };
}

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(
    private readonly kafka: KafkaService,
    private readonly db: DataSource,
    @Inject(APP_NAME) private readonly app: { name: string; instance: string },
    @Optional() private readonly registryView?: RegistryViewService,
  ) {}

  private async postgres(): Promise<ComponentHealth> {
    try {
      const [row] = await this.db.query('SELECT current_database() AS database, version() AS version');
      return { status: 'up', database: row.database, version: String(row.version).split(' ').slice(0, 2).join(' ') };
    } catch (e) {
      return { status: 'down', detail: (e as Error).message };
    }
  }

  @Get('health')
  @ApiOperation({ summary: 'Kafka and PostgreSQL connection status; 503 when either is down' })
  async health(@Res({ passthrough: true }) res: Response): Promise<HealthReport> {
    const [kafka, postgres] = await Promise.all([this.kafka.health(), this.postgres()]);
    const registryView = this.registryView?.health();
    const ok = kafka.status === 'up' && postgres.status === 'up' && (registryView?.status ?? 'up') === 'up';
    res.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return {
      status: ok ? 'ok' : 'error',
      app: this.app.name,
      instance: this.app.instance,
      pid: process.pid,
      uptimeSeconds: Math.round(process.uptime()),
      checks: { kafka, postgres, ...(registryView ? { registryView } : {}) },
    };
  }
}
