import { All, Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { lgspMetrics, METRICS_REGISTRY, serviceLabel } from '@ndxp/metrics';
import { Registry } from 'prom-client';
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { fault, FaultTypes, MAX_REQUEST_BYTES } from '@ndxp/contracts';
import { RegistryViewService } from '@ndxp/platform';
import { GatewayInput, GatewayService } from './gateway.service';

/** Reads the body up to the limit; past it, stops reading and says so. */
function readBody(req: Request): Promise<GatewayInput['body']> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    const tooLarge = fault(FaultTypes.malformedRequest, `the request body exceeds the limit of ${MAX_REQUEST_BYTES} bytes (1 MiB)`);
    if (declared > MAX_REQUEST_BYTES) {
      req.resume();
      return resolve(tooLarge);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > MAX_REQUEST_BYTES) {
        done = true;
        resolve(tooLarge);
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => !done && resolve(Buffer.concat(chunks)));
    req.on('error', () => !done && resolve(fault(FaultTypes.malformedRequest, 'the request body could not be read')));
  });
}

@ApiTags('x-road')
@Controller()
export class GatewayController {
  private readonly metrics: ReturnType<typeof lgspMetrics>;

  constructor(
    private readonly gateway: GatewayService,
    private readonly registry: RegistryViewService,
    @Inject(METRICS_REGISTRY) metricsRegistry: Registry,
  ) {
    this.metrics = lgspMetrics(metricsRegistry);
  }

  private async serve(req: Request, res: Response): Promise<void> {
    const started = process.hrtime.bigint();
    const body = await readBody(req);
    const answer = await this.gateway.handle({ method: req.method, url: req.originalUrl, rawHeaders: req.rawHeaders, headers: req.headersDistinct, body });
    // The provider's bytes as they came (or the fault's): Express must neither re-encode nor add its own content type.
    res.status(answer.status).set(answer.headers);
    if (req.method === 'HEAD') res.end();
    else res.end(answer.body);
    const service = serviceLabel(answer.service);
    this.metrics.requests.inc({ lgsp: answer.lgsp || 'unknown', service, status: String(answer.status) });
    this.metrics.duration.observe({ service }, Number(process.hrtime.bigint() - started) / 1e9);
    if (answer.replayed) this.metrics.idempotentReplays.inc();
  }

  @All(['r1', 'r1/*rest'])
  @ApiOperation({
    summary: 'X-Road REST: {METHOD} /r1/{INSTANCE}/{CLASS}/{MEMBER}/{SUBSYSTEM}/{SERVICE}[/path]',
    description:
      'Headers: X-Road-Client (required), X-API-Key (the LGSP credential), optional X-Road-Id, X-Road-UserId, X-Road-Issue, ' +
      'X-Road-Represented-Party, X-Road-Security-Server, Idempotency-Key. Other headers, the query and the body reach the provider unchanged. ' +
      'The provider answers as it does (no X-Road-Error); platform faults carry X-Road-Error and {type, message, detail}. Body limit 1 MiB.',
  })
  rest(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.serve(req, res);
  }

  @All('XrdAdapter/RestService/forward/*rest')
  @ApiOperation({ summary: 'Vietnamese adapter form: /XrdAdapter/RestService/forward/{SERVICE}[/path]?dstcode=VN:GOV:{code}:{subsystem}' })
  adapter(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.serve(req, res);
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
