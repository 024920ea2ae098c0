import { All, Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { XROAD_INSTANCE } from '@ndxp/contracts';
import { GatewayHttp } from './gateway-http';
import { listClients } from './metaservices';
import { RegistryViewService } from '@ndxp/platform';
import { GatewayService } from './gateway.service';

@ApiTags('x-road')
@Controller()
export class GatewayController {
  constructor(
    private readonly gateway: GatewayService,
    private readonly http: GatewayHttp,
    private readonly registry: RegistryViewService,
  ) {}

  @All(['r1', 'r1/*rest'])
  @ApiOperation({
    summary: 'X-Road REST: {METHOD} /r1/{INSTANCE}/{CLASS}/{MEMBER}/{SUBSYSTEM}/{SERVICE}[/path]',
    description:
      'Headers: X-Road-Client (required), X-API-Key (the LGSP credential), optional X-Road-Id, X-Road-UserId, X-Road-Issue, ' +
      'X-Road-Represented-Party, X-Road-Security-Server, Idempotency-Key. Other headers, the query and the body reach the provider unchanged. ' +
      'The provider answers as it does (no X-Road-Error); platform faults carry X-Road-Error and {type, message, detail}. Body limit 1 MiB.',
  })
  rest(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.http.serve(req, res);
  }

  @All('XrdAdapter/RestService/forward/*rest')
  @ApiOperation({ summary: 'Vietnamese adapter form: /XrdAdapter/RestService/forward/{SERVICE}[/path]?dstcode=VN:GOV:{code}:{subsystem}' })
  adapter(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.http.serve(req, res);
  }

  @Get('listClients')
  @ApiOperation({
    summary: 'X-Road metaservice listClients (PR-META): every member and subsystem; JSON when Accept names application/json, else XML',
  })
  listClients(@Req() req: Request, @Res() res: Response, @Query('xRoadInstance') instance?: string): void {
    const json = (req.headers.accept ?? '').split(',').some((v) => v.split(';')[0].trim().toLowerCase() === 'application/json');
    const answer = listClients(this.registry.state, instance || XROAD_INSTANCE, !json);
    res.status(answer.status).setHeader('content-type', answer.contentType);
    res.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
  }

  @Get('lgsps')
  @ApiOperation({ summary: 'The LGSPs this gateway process hosts' })
  lgsps() {
    return {
      items: this.gateway.hosted().map((code) => ({ code, name: this.registry.state.agencies.get(code)?.nameVi, nameEn: this.registry.state.agencies.get(code)?.nameEn })),
    };
  }

  @Get('catalogue/services')
  @ApiExcludeEndpoint()
  services() {
    return { items: [...this.registry.state.services.keys()] };
  }
}
