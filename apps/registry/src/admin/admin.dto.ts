import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  Validate,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { parseAgencyCode, parseServiceKey, parseSubsystemId } from '@ndxp/contracts';

/** A class-validator constraint from one of the contracts' identifier parsers, its reason in the message. */
function identifierConstraint(name: string, parse: (v: string) => { ok: true } | { ok: false; reason: string }, expected: string) {
  @ValidatorConstraint({ name })
  class IdentifierConstraint implements ValidatorConstraintInterface {
    private reason = '';
    validate(v: unknown): boolean {
      const r = parse(String(v));
      this.reason = r.ok ? '' : r.reason;
      return r.ok;
    }
    defaultMessage(): string {
      return `must be ${expected} (${this.reason})`;
    }
  }
  return IdentifierConstraint;
}

const IsSubsystemId = identifierConstraint('subsystemId', (v) => parseSubsystemId(v), 'a subsystem id INSTANCE/CLASS/MEMBER/SUBSYSTEM, e.g. VN/GOV/000.00.00.H26/MOTCUA');
const IsServiceId = identifierConstraint('serviceId', parseServiceKey, 'a service id INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE, e.g. VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup');

@ValidatorConstraint({ name: 'agencyCode' })
class IsAgencyCode implements ValidatorConstraintInterface {
  validate(v: unknown): boolean {
    return parseAgencyCode(String(v)).ok;
  }
  defaultMessage(): string {
    return 'must be an agency code of the form 000.00.00.G14 (QCVN 102:2016)';
  }
}

export class VersionedDto {
  @ApiPropertyOptional({ description: 'The stream version you read; a stale one gets 409' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  expectedVersion?: number;
}

export class RegisterAgencyDto extends VersionedDto {
  @ApiProperty({ example: '000.00.25.G14' }) @Validate(IsAgencyCode) code102!: string;
  @ApiProperty() @IsString() @MinLength(2) @MaxLength(300) nameVi!: string;
  @ApiProperty() @IsString() @MinLength(2) @MaxLength(300) nameEn!: string;
  @ApiPropertyOptional() @IsOptional() @Validate(IsAgencyCode) parent?: string;
  @ApiProperty({ enum: ['ministry', 'province', 'government-agency', 'other'] })
  @IsIn(['ministry', 'province', 'government-agency', 'other'])
  category!: string;
  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() hasLgsp?: boolean;
}

export class RegisterSubsystemDto extends VersionedDto {
  @ApiProperty({ example: 'VN/GOV/000.00.00.H26/TEST' }) @Validate(IsSubsystemId) subsystem!: string;
  @ApiProperty() @IsString() @MinLength(2) @MaxLength(300) name!: string;
  @ApiProperty({ enum: ['client', 'provider'] }) @IsIn(['client', 'provider']) role!: 'client' | 'provider';
  @ApiPropertyOptional({ description: 'a test client: its X-Emulator-Fault header is honoured (the seeded MOTCUA clients are)', default: false })
  @IsOptional()
  @IsBoolean()
  testClient?: boolean;
}

export class RegisterServiceDto extends VersionedDto {
  @ApiProperty({ example: 'VN/GOV/000.00.00.G01/CSDLQGDC' }) @Validate(IsSubsystemId) provider!: string;
  @ApiProperty() @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/) serviceCode!: string;
  @ApiProperty({ example: 'v1' }) @Matches(/^v\d+$/, { message: 'must look like v1, v2, ...' }) version!: string;
  @ApiProperty({ enum: ['GET', 'POST'] }) @IsIn(['GET', 'POST']) method!: string;
  @ApiProperty() @IsIn(['population', 'enterprise', 'insurance']) database!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) description?: string;
}

export class GrantDto extends VersionedDto {
  @ApiProperty({ example: 'VN/GOV/000.00.00.H26/MOTCUA' }) @Validate(IsSubsystemId) client!: string;
  @ApiProperty({ example: 'VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup' }) @Validate(IsServiceId) service!: string;
}

export class ClientDto extends VersionedDto {
  @ApiProperty({ example: 'VN/GOV/000.00.00.H26/MOTCUA' }) @Validate(IsSubsystemId) client!: string;
}

export class RevokeCredentialDto extends ClientDto {
  @ApiProperty() @Matches(/^[0-9a-f]{12}$/, { message: 'must be the 12-hex-digit key id' }) keyId!: string;
}

export class RegisterCertificateDto extends ClientDto {
  @ApiProperty({ description: "The client's TLS certificate, PEM (-----BEGIN CERTIFICATE-----); never its private key" })
  @IsString()
  @MaxLength(16_384)
  certificatePem!: string;
}

export class RevokeCertificateDto extends ClientDto {
  @ApiProperty({ description: 'SHA-256 of the certificate (DER), 64 hex digits' })
  @Matches(/^[0-9a-fA-F]{64}$/, { message: 'must be the SHA-256 fingerprint, 64 hex digits' })
  fingerprint!: string;
}

export class OperatorDto extends VersionedDto {
  @ApiProperty({ example: '000.00.00.H26', description: "the LGSP's agency code" }) @Validate(IsAgencyCode) lgsp!: string;
}

export class RevokeOperatorDto extends OperatorDto {
  @ApiProperty() @Matches(/^[0-9a-f]{12}$/, { message: 'must be the 12-hex-digit key id' }) keyId!: string;
}

export class OperatorQueryDto {
  @ApiProperty({ example: '000.00.00.H26' }) @Validate(IsAgencyCode) lgsp!: string;
}

export class GrantQueryDto {
  @ApiProperty() @Validate(IsSubsystemId) client!: string;
}

export class PageQueryDto {
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) page?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) pageSize?: number;
}
