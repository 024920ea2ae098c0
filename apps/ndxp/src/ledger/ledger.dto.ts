import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

export class LedgerQueryDto {
  @ApiPropertyOptional({ example: 'VN/GOV/000.00.00.H26/MOTCUA' }) @IsOptional() @IsString() client?: string;
  @ApiPropertyOptional({ example: 'VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup' }) @IsOptional() @IsString() service?: string;
  @ApiPropertyOptional({ description: 'LGSP agency code' }) @IsOptional() @IsString() lgsp?: string;
  @ApiPropertyOptional({ enum: ['success', 'rejected', 'failed', 'timeout'] }) @IsOptional() @IsIn(['success', 'rejected', 'failed', 'timeout']) outcome?: string;
  @ApiPropertyOptional({ description: 'X-Road-Id the caller sent' }) @IsOptional() @IsString() xRoadId?: string;
  @ApiPropertyOptional({ description: 'from this instant (ISO 8601), inclusive' })
  @IsOptional()
  @IsISO8601({}, { message: 'must be an ISO 8601 date-time, e.g. 2026-11-23T00:00:00+07:00' })
  from?: string;
  @ApiPropertyOptional({ description: 'to this instant (ISO 8601), exclusive' }) @IsOptional() @IsISO8601({}, { message: 'must be an ISO 8601 date-time' }) to?: string;
  @ApiPropertyOptional({ default: 1 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) page?: number;
  @ApiPropertyOptional({ default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) pageSize?: number;
}

export class StatisticsQueryDto {
  @ApiPropertyOptional({ example: '2022-09', description: 'a calendar month (Vietnam): its days; with from/to, the days in both' })
  @IsOptional()
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'must be a month YYYY-MM' })
  month?: string;
  @ApiPropertyOptional({ example: '2026-11-01', description: 'first day (Vietnam calendar), inclusive' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date YYYY-MM-DD' })
  from?: string;
  @ApiPropertyOptional({ example: '2026-11-30', description: 'last day, inclusive' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date YYYY-MM-DD' })
  to?: string;
}
