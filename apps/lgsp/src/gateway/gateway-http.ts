import { Inject, Injectable, INestApplication, Logger } from '@nestjs/common';
import { randomUUID } from 'crypto';
import { lgspMetrics, METRICS_REGISTRY, serviceLabel } from '@ndxp/metrics';
import { Registry } from 'prom-client';
import type { NextFunction, Request, Response } from 'express';
import { fault, FaultTypes, MAX_REQUEST_BYTES } from '@ndxp/contracts';
import { GatewayInput, GatewayService } from './gateway.service';
import { faultBody } from './xroad-protocol';

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

/** The HTTP side of the gateway: the request as sent in, the answer's bytes out, and the metrics of both. */
@Injectable()
export class GatewayHttp {
  private readonly metrics: ReturnType<typeof lgspMetrics>;
  private readonly logger = new Logger(GatewayHttp.name);

  constructor(
    private readonly gateway: GatewayService,
    @Inject(METRICS_REGISTRY) metricsRegistry: Registry,
  ) {
    this.metrics = lgspMetrics(metricsRegistry);
  }

  /** Never rejects: a request the gateway cannot handle gets a fault, and no other client's request is touched. */
  async serve(req: Request, res: Response): Promise<void> {
    try {
      await this.answer(req, res);
    } catch (e) {
      this.logger.error(`${req.method} ${req.originalUrl.slice(0, 200)} failed in the gateway: ${(e as Error).stack}`);
      if (res.headersSent) return void res.destroy();
      const { contentType, body } = faultBody(FaultTypes.internalError, `the LGSP failed: ${(e as Error).message}`, randomUUID(), 'application/json');
      res.writeHead(500, { 'X-Road-Error': FaultTypes.internalError, 'content-type': contentType }).end(body);
    }
  }

  private async answer(req: Request, res: Response): Promise<void> {
    const started = process.hrtime.bigint();
    const body = await readBody(req);
    const answer = await this.gateway.handle({ method: req.method, url: req.originalUrl, rawHeaders: req.rawHeaders, headers: req.headersDistinct, body });
    // The provider's bytes and headers as they came (or the fault's): set on Node's response, so Express adds no charset.
    res.statusCode = answer.status;
    for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
    if (req.method === 'HEAD') res.end();
    else res.end(answer.body);
    const service = serviceLabel(answer.service);
    this.metrics.requests.inc({ lgsp: answer.lgsp || 'unknown', service, status: String(answer.status) });
    this.metrics.duration.observe({ service }, Number(process.hrtime.bigint() - started) / 1e9);
    if (answer.replayed) this.metrics.idempotentReplays.inc();
  }
}

const GATEWAY_PATH = /^\/(r1(\/|\?|$)|XrdAdapter\/)/;

function decodable(url: string): boolean {
  try {
    decodeURIComponent(url.split('?')[0]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Express's router decodes a route's parameters and answers a malformed escape
 * (`/r1/…/%zz`) with its own 400 before any handler runs. X-Road paths with
 * such escapes are served here instead, ahead of routing, so they get the
 * X-Road fault and their ledger row like any other refusal.
 */
export function serveUndecodableGatewayPaths(app: INestApplication): void {
  const http = app.get(GatewayHttp);
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (GATEWAY_PATH.test(req.url) && !decodable(req.url)) void http.serve(req, res);
    else next();
  });
}
