import { Inject, Injectable, INestApplication, Logger } from '@nestjs/common';
import { randomUUID } from 'crypto';
import { lgspMetrics, METRICS_REGISTRY } from '@ndxp/metrics';
import { Registry } from 'prom-client';
import type { NextFunction, Request, Response } from 'express';
import { Fault, fault, FaultTypes, MAX_REQUEST_BYTES } from '@ndxp/contracts';
import { GatewayService } from './gateway.service';
import { tlsPeerOf } from './tls-auth';
import { faultBody } from './xroad-protocol';
import { resetConnection, writeSlowly } from './transport-faults';
import { JournalService } from '../journal/journal.service';

/** How much of an unread body is dropped before the connection is cut instead. */
export const DISCARD_LIMIT_BYTES = 4 * MAX_REQUEST_BYTES;

/** The request's body, read only when the gateway asks for it (after the credential checks), up to the limit. */
export class BodyReader {
  constructor(private readonly req: Request) {}

  read(): Promise<Buffer | Fault> {
    const req = this.req;
    return new Promise((resolve) => {
      const declared = Number(req.headers['content-length'] ?? 0);
      const tooLarge = fault(FaultTypes.malformedRequest, `the request body exceeds the limit of ${MAX_REQUEST_BYTES} bytes (1 MiB)`);
      if (declared > MAX_REQUEST_BYTES) return resolve(tooLarge); // left unread: discarded after the answer (discard)
      const chunks: Buffer[] = [];
      let size = 0;
      let done = false;
      req.on('data', (c: Buffer) => {
        if (done) return;
        size += c.length;
        if (size > MAX_REQUEST_BYTES) {
          done = true;
          chunks.length = 0;
          resolve(tooLarge);
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => !done && resolve(Buffer.concat(chunks)));
      req.on('error', () => !done && resolve(fault(FaultTypes.malformedRequest, 'the request body could not be read')));
    });
  }

  /**
   * After the answer: what the gateway did not read (a refused request's body, or the rest of one too
   * large) is read and dropped chunk by chunk, never kept, so the connection stays usable and the client
   * reads its answer rather than a reset. Past DISCARD_LIMIT_BYTES the connection is cut: the answer has
   * long gone out by then. The server's requestTimeout bounds the time a slow body can take.
   */
  discard(): void {
    const req = this.req;
    if (req.readableEnded) return;
    let size = 0;
    req.removeAllListeners('data');
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > DISCARD_LIMIT_BYTES) req.socket.destroy();
    });
    req.resume();
  }
}

/** The HTTP side of the gateway: the request as sent in, the answer's bytes out, and the metrics of both. */
@Injectable()
export class GatewayHttp {
  private readonly metrics: ReturnType<typeof lgspMetrics>;
  private readonly logger = new Logger(GatewayHttp.name);

  constructor(
    private readonly gateway: GatewayService,
    @Inject(METRICS_REGISTRY) metricsRegistry: Registry,
    private readonly journal: JournalService,
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
    const startedAt = Date.now();
    const sinceStart = () => Number(process.hrtime.bigint() - started) / 1e6;
    const body = new BodyReader(req);
    const tls = tlsPeerOf(req.socket);
    // For the journal: the body as the gateway read it, and when.
    let received: Buffer | undefined;
    let bodyReadMs: number | undefined;
    const answer = await this.gateway.handle({
      method: req.method,
      url: req.originalUrl,
      rawHeaders: req.rawHeaders,
      headers: req.headersDistinct,
      readBody: async () => {
        const read = await body.read();
        bodyReadMs = sinceStart();
        if (Buffer.isBuffer(read)) received = read;
        return read;
      },
      tls,
    });
    // An injected `reset` (X-Emulator-Fault): the connection closes with no answer at all.
    if (answer.transport?.reset) resetConnection(res);
    else {
      // The provider's bytes and headers as they came (or the fault's): set on Node's response, so Express adds no charset.
      res.statusCode = answer.status;
      for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
      if (req.method === 'HEAD') res.end();
      else if (answer.transport?.slowBodyMs) await writeSlowly(res, answer.body, answer.transport.slowBodyMs);
      else res.end(answer.body);
    }
    body.discard(); // a body the gateway did not read (refused first) or stopped reading (too large)
    const { lgsp, service } = this.gateway.metricLabels(answer);
    this.metrics.requests.inc({ lgsp, service, status: String(answer.status) });
    this.metrics.duration.observe({ service }, Number(process.hrtime.bigint() - started) / 1e9);
    if (answer.replayed) this.metrics.idempotentReplays.inc();
    this.journalize(req, answer, { startedAt, answeredMs: sinceStart(), bodyReadMs, received });
  }

  /** The exchange into the request journal, once its answer has gone out; a failure there is logged, never the client's. */
  private journalize(
    req: Request,
    answer: Awaited<ReturnType<GatewayService['handle']>>,
    at: { startedAt: number; answeredMs: number; bodyReadMs?: number; received?: Buffer },
  ): void {
    try {
      const capture = {
        startedAt: at.startedAt,
        answeredMs: at.answeredMs,
        ...(at.bodyReadMs !== undefined ? { bodyReadMs: at.bodyReadMs } : {}),
        method: req.method,
        origin: `${'encrypted' in req.socket ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`,
        url: req.originalUrl,
        httpVersion: req.httpVersion,
        rawHeaders: req.rawHeaders,
        ...(at.received ? { body: at.received } : {}),
        status: answer.status,
        responseHeaders: answer.headers,
        responseBody: answer.body,
        replayed: answer.replayed,
      };
      this.journal.record(capture, req.headersDistinct, answer.parties ?? { client: '', service: '' });
    } catch (e) {
      this.logger.warn(`the request journal could not record ${req.method} ${req.originalUrl.slice(0, 200)}: ${(e as Error).message}`);
    }
  }
}

const GATEWAY_PATH = /^\/(r1(\/|\?|$)|XrdAdapter\/)/;
/** The paths the controller routes to the gateway (any other XrdAdapter path stays Nest's 404). */
const ROUTED_PATH = /^\/(r1(\/|\?|$)|XrdAdapter\/RestService\/forward\/)/;

function decodable(url: string): boolean {
  try {
    decodeURIComponent(url.split('?')[0]);
    return true;
  } catch {
    return false;
  }
}

/**
 * X-Road paths are served here, ahead of Nest's routes (the controller keeps them for the OpenAPI document and as
 * a fallback). Two reasons. Express's router decodes a route's parameters and answers a malformed escape
 * (`/r1/…/%zz`) with its own 400 before any handler runs; here such a path gets the X-Road fault and its ledger
 * row like any other refusal. And walking the router's layers cost the gateway's one thread about 5 % of its
 * time at 700 requests/s (`npm run bench -- --profile`: router `next` and `handle`, Express `handle`).
 */
export function serveGatewayPaths(app: INestApplication): void {
  const http = app.get(GatewayHttp);
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (ROUTED_PATH.test(req.url) || (GATEWAY_PATH.test(req.url) && !decodable(req.url))) void http.serve(req, res);
    else next();
  });
}
