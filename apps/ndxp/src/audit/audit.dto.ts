import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Max, Min } from 'class-validator';
import { ADMIN_SCOPES } from '@ndxp/contracts';
import { DEFAULT_AUDIT_LIMIT } from './audit-rows';

export class AuditQueryDto {
  @ApiPropertyOptional({ enum: ['registry', 'ndxp', 'lgsp', 'providers'], description: 'the app whose admin API was called' })
  @IsOptional()
  @IsString()
  app?: string;

  @ApiPropertyOptional({ enum: ADMIN_SCOPES }) @IsOptional() @IsIn(ADMIN_SCOPES) scope?: string;

  @ApiPropertyOptional({
    example: 'FAULTS_ADMIN_TOKEN',
    description: 'a credential by its variable (ADMIN_TOKEN, FAULTS_ADMIN_TOKEN, PROJECTION_ADMIN_TOKEN; none and unrecognized for refused attempts), or a remote address',
  })
  @IsOptional()
  @IsString()
  who?: string;

  @ApiPropertyOptional({ description: 'from this instant (ISO 8601), inclusive' })
  @IsOptional()
  @IsISO8601({}, { message: 'must be an ISO 8601 date-time, e.g. 2026-11-23T00:00:00+07:00' })
  from?: string;

  @ApiPropertyOptional({ description: 'to this instant (ISO 8601), exclusive' }) @IsOptional() @IsISO8601({}, { message: 'must be an ISO 8601 date-time' }) to?: string;

  @ApiPropertyOptional({ default: DEFAULT_AUDIT_LIMIT, maximum: 1000 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit?: number;
}
