import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsNumber, IsOptional, Max, Min } from 'class-validator';

export class FaultSettingsDto {
  @ApiPropertyOptional({ description: 'service code; omit to set the whole database' })
  @IsOptional()
  @IsIn(['citizen-lookup', 'citizen-verify', 'enterprise-lookup', 'health-insurance-card'])
  service?: string;
  @ApiPropertyOptional({ default: 0 }) @IsOptional() @IsInt() @Min(0) @Max(120000) latencyMs?: number;
  @ApiPropertyOptional({ default: 0 }) @IsOptional() @IsInt() @Min(0) @Max(60000) jitterMs?: number;
  @ApiPropertyOptional({ default: 0 }) @IsOptional() @IsNumber() @Min(0) @Max(1) errorProbability?: number;
  @ApiPropertyOptional({ enum: ['error', 'unavailable', 'timeout'], default: 'error' }) @IsOptional() @IsIn(['error', 'unavailable', 'timeout']) errorKind?:
    'error' | 'unavailable' | 'timeout';
  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() outage?: boolean;
}
