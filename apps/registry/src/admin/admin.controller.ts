import { Body, Controller, Delete, Get, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { newApiKey, newOperatorKey } from '@ndxp/contracts';
import { AdminGuard } from '@ndxp/platform';
import { RegistryService } from '../registry/registry.service';
import { readCertificate } from '../domain/certificate';
import {
  ClientDto,
  GrantDto,
  GrantQueryDto,
  OperatorDto,
  OperatorQueryDto,
  RegisterAgencyDto,
  RegisterCertificateDto,
  RegisterServiceDto,
  RegisterSubsystemDto,
  RevokeCertificateDto,
  RevokeCredentialDto,
  RevokeOperatorDto,
} from './admin.dto';

@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('admin')
export class AdminController {
  constructor(private readonly registry: RegistryService) {}

  @Post('agencies')
  @ApiOperation({ summary: 'Register an agency' })
  registerAgency(@Body() dto: RegisterAgencyDto) {
    const { expectedVersion, hasLgsp, ...rest } = dto;
    const level = (rest.code102.match(/^(\d{3})\.(\d{2})\.(\d{2})/) ?? []).slice(1).filter((p) => !/^0+$/.test(p)).length + 1;
    return this.registry.registerAgency({ ...rest, level, hasLgsp: hasLgsp ?? false, codeConfirmed: false }, expectedVersion);
  }

  @Post('subsystems')
  @ApiOperation({ summary: 'Register a subsystem of a registered agency' })
  registerSubsystem(@Body() dto: RegisterSubsystemDto) {
    const agency = dto.subsystem.split('/')[2];
    const testClient = dto.testClient ? { testClient: true } : {};
    return this.registry.registerSubsystem({ subsystem: dto.subsystem, agency, name: dto.name, role: dto.role, ...testClient }, dto.expectedVersion);
  }

  @Post('services')
  @ApiOperation({ summary: 'Register a service (or a new version of one)' })
  registerService(@Body() dto: RegisterServiceDto) {
    return this.registry.registerService(
      {
        service: `${dto.provider}/${dto.serviceCode}`,
        provider: dto.provider,
        serviceCode: dto.serviceCode,
        version: dto.version,
        method: dto.method,
        database: dto.database,
        description: dto.description ?? '',
      },
      dto.expectedVersion,
    );
  }

  @Get('grants')
  @ApiOperation({ summary: "A client subsystem's access rights" })
  grants(@Query() q: GrantQueryDto) {
    return { client: q.client, services: [...(this.registry.view.grants.get(q.client) ?? [])].sort() };
  }

  @Post('grants')
  @ApiOperation({ summary: 'Grant a client subsystem access to a service; effective across the platform within a second' })
  grant(@Body() dto: GrantDto) {
    return this.registry.grant(dto.client, dto.service, dto.expectedVersion);
  }

  @Delete('grants')
  @ApiOperation({ summary: 'Revoke an access right' })
  revoke(@Body() dto: GrantDto) {
    return this.registry.revoke(dto.client, dto.service, dto.expectedVersion);
  }

  @Post('credentials')
  @ApiOperation({ summary: 'Issue an API key to a client subsystem. The key is shown once; only its hash is kept.' })
  async issue(@Body() dto: ClientDto) {
    const apiKey = newApiKey();
    const r = await this.registry.credential({ kind: 'Issue', client: dto.client, apiKey }, dto.expectedVersion);
    return { ...r, apiKey, keyId: (r.events[0] as { keyId: string }).keyId };
  }

  @Post('credentials/rotate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Issue a new key and revoke every older key of the client' })
  async rotate(@Body() dto: ClientDto) {
    const apiKey = newApiKey();
    const r = await this.registry.credential({ kind: 'Rotate', client: dto.client, apiKey }, dto.expectedVersion);
    return { ...r, apiKey, keyId: (r.events[0] as { keyId: string }).keyId };
  }

  @Post('credentials/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke one key' })
  revokeKey(@Body() dto: RevokeCredentialDto) {
    return this.registry.credential({ kind: 'Revoke', client: dto.client, keyId: dto.keyId }, dto.expectedVersion);
  }

  @Get('operators')
  @ApiOperation({ summary: "An LGSP operator's keys (ids only), revoked ones included" })
  operators(@Query() q: OperatorQueryDto) {
    const keys = [...this.registry.view.operators.values()].filter((o) => o.lgsp === q.lgsp);
    return { lgsp: q.lgsp, keys: keys.map(({ keyId, revoked }) => ({ keyId, revoked })) };
  }

  @Post('operators')
  @ApiOperation({
    summary: "Issue a key to an LGSP's operator: it reads that LGSP's exchanges (ledger, statistics, request journal), personal identifiers masked. Shown once.",
  })
  async issueOperator(@Body() dto: OperatorDto) {
    const apiKey = newOperatorKey();
    const r = await this.registry.operatorCredential({ kind: 'Issue', lgsp: dto.lgsp, apiKey }, dto.expectedVersion);
    return { ...r, apiKey, keyId: (r.events[0] as { keyId: string }).keyId };
  }

  @Post('operators/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: "Revoke one of an LGSP operator's keys; refused on the hub and the gateways within a second" })
  revokeOperator(@Body() dto: RevokeOperatorDto) {
    return this.registry.operatorCredential({ kind: 'Revoke', lgsp: dto.lgsp, keyId: dto.keyId }, dto.expectedVersion);
  }

  @Get('certificates')
  @ApiOperation({ summary: "A client subsystem's TLS certificates (fingerprint, subject, expiry), revoked ones included" })
  certificates(@Query() q: GrantQueryDto) {
    const all = [...this.registry.view.certificates].filter(([, c]) => c.client === q.client);
    return { client: q.client, certificates: all.map(([fingerprint, { subject, notAfter, revoked }]) => ({ fingerprint, subject, notAfter, revoked })) };
  }

  @Post('certificates')
  @ApiOperation({
    summary: "Register a client subsystem's TLS certificate (PEM): over the gateway's HTTPS it then authenticates the subsystem as X-API-Key does",
  })
  async registerCertificate(@Body() dto: RegisterCertificateDto) {
    const facts = readCertificate(dto.certificatePem);
    const r = await this.registry.certificate({ kind: 'Register', client: dto.client, at: Date.now(), ...facts }, dto.expectedVersion);
    return { ...r, ...facts };
  }

  @Delete('certificates')
  @ApiOperation({ summary: 'Revoke a TLS certificate (by its SHA-256 fingerprint); effective across the platform within a second' })
  revokeCertificate(@Body() dto: RevokeCertificateDto) {
    return this.registry.certificate({ kind: 'Revoke', client: dto.client, fingerprint: dto.fingerprint.toLowerCase() }, dto.expectedVersion);
  }
}
