import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'crypto';
import {
  decideTransaction,
  EXCHANGE_OPERATION,
  ExchangeRequest,
  ExchangeResponse,
  Fault,
  fault,
  FaultTypes,
  initialTransaction,
  providerOf,
  serviceKey,
  subsystemKey,
  TransactionCommand,
} from '@ndxp/contracts';
import { RegistryViewService, RequestTimeoutError } from '@ndxp/platform';
import { AnswerRecorder } from '../record/answer-recorder.service';
import { LgspConfig } from '../lgsp.config';
import { HubClientService } from './hub-client.service';
import { apiKeyOf, parseBody, ParsedCall, parseCall, requestHash } from './xroad-protocol';

export interface GatewayInput {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** The body, or the fault for one that could not be read (too large). */
  body: Buffer | Fault;
}

export interface GatewayAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** Which LGSP answered (for metrics), '' when none could be told. */
  lgsp: string;
  service: string;
  fromCache: boolean;
}

interface Cached {
  expiresAt: number;
  hash: string;
  answer: Promise<GatewayAnswer>;
}

const CACHE_LIMIT = 100_000;

interface Forwarded {
  method: string;
  transactionId: string;
  xRoadId: string;
  client: string;
  service: string;
  lgsp: string;
  body: unknown;
  size: number;
  requestInAt: number;
  hash: string;
}

/**
 * The LGSP's forwarding logic: parse the X-Road call, authenticate the calling
 * system, forward to NDXP over Kafka, and map the reply back to HTTP. Every
 * refusal here is recorded as a transaction event too.
 */
@Injectable()
export class GatewayService {
  private readonly logger = new Logger(GatewayService.name);
  private readonly idempotency = new Map<string, Cached>();

  constructor(
    private readonly hub: HubClientService,
    private readonly registry: RegistryViewService,
    private readonly recorder: AnswerRecorder,
    private readonly config: LgspConfig,
  ) {}

  private hostedCache: { position: number; codes: Set<string> } | undefined;

  /** The LGSP agencies this process hosts: LGSP_AGENCIES, then this process's LGSP_SHARD of them. */
  hosted(): string[] {
    const position = this.registry.state.position;
    if (this.hostedCache?.position !== position) {
      const wanted = this.config.LGSP_AGENCIES === 'all' ? undefined : new Set(this.config.LGSP_AGENCIES.split(','));
      const { index, count } = this.config.shard;
      const codes = [...this.registry.state.agencies]
        .filter(([code, a]) => a.hasLgsp && (!wanted || wanted.has(code)))
        .map(([code]) => code)
        .sort()
        .filter((_, i) => i % count === index);
      this.hostedCache = { position, codes: new Set(codes) };
    }
    return [...this.hostedCache.codes];
  }

  private hosts(agency: string): boolean {
    this.hosted();
    return this.hostedCache!.codes.has(agency);
  }

  async handle(input: GatewayInput): Promise<GatewayAnswer> {
    const requestInAt = Date.now();
    const transactionId = randomUUID();
    const parsed = parseCall(input.url, input.headers);
    const size = Buffer.isBuffer(input.body) ? input.body.length : 0;
    const xRoadIdHeader = input.headers['x-road-id'];
    const xRoadId = (Array.isArray(xRoadIdHeader) ? xRoadIdHeader[0] : xRoadIdHeader) ?? transactionId;
    const hash = requestHash(input.method, input.url, Buffer.isBuffer(input.body) ? input.body : Buffer.alloc(0));
    const refuse = async (f: Fault, client: string, service: string, lgsp: string): Promise<GatewayAnswer> => {
      const request = { xRoadId: xRoadId.slice(0, 255), lgsp, client, service, provider: providerOf(service), requestSize: size, requestInAt };
      await this.recordDecided(transactionId, { kind: 'RefuseAtLgsp', at: Date.now(), request, fault: f });
      return this.faultAnswer(f, xRoadId, hash, transactionId, lgsp, service);
    };

    if (!parsed.ok) return refuse(parsed.fault, parsed.clientText, parsed.serviceText, '');
    const call = parsed.call;
    const client = subsystemKey(call.client);
    const service = serviceKey(call.service);
    const lgsp = call.client.memberCode;
    if (!Buffer.isBuffer(input.body)) return refuse(input.body, client, service, lgsp);
    if (!this.hosts(lgsp))
      return refuse(
        fault(FaultTypes.unknownMember, 404, `this gateway hosts no LGSP for member ${lgsp} of X-Road-Client (see GET /lgsps for the ${this.hosted().length} it hosts)`),
        client,
        service,
        lgsp,
      );
    const key = apiKeyOf(input.headers);
    if (!key) return refuse(fault(FaultTypes.accessDenied, 401, 'send the API key of the calling system in X-API-Key (or Authorization: Bearer)'), client, service, lgsp);
    const cred = this.registry.checkApiKey(key, client);
    if (!cred.ok) return refuse(fault(FaultTypes.accessDenied, 401, cred.message), client, service, lgsp);

    const read = parseBody(input.body, String(input.headers['content-type'] ?? 'application/json'));
    if (!read.ok) return refuse(read.fault, client, service, lgsp);
    const body = read.body;

    // X-Road-Id doubles as an idempotency key: the same id from the same client gets the same answer.
    if (call.xRoadId && this.config.IDEMPOTENCY_TTL_S > 0) {
      const cacheKey = `${client}|${call.xRoadId}`;
      const hit = this.idempotency.get(cacheKey);
      if (hit && hit.expiresAt > Date.now()) {
        if (hit.hash !== hash) return refuse(fault(FaultTypes.badRequest, 409, `X-Road-Id ${call.xRoadId} was already used for a different request`), client, service, lgsp);
        return { ...(await hit.answer), fromCache: true };
      }
      const answer = this.forward(call, { method: input.method.toUpperCase(), transactionId, xRoadId, client, service, lgsp, body, size, requestInAt, hash });
      this.remember(cacheKey, { expiresAt: Date.now() + this.config.IDEMPOTENCY_TTL_S * 1000, hash, answer });
      return answer;
    }
    return this.forward(call, { method: input.method.toUpperCase(), transactionId, xRoadId, client, service, lgsp, body, size, requestInAt, hash });
  }

  private remember(key: string, c: Cached): void {
    if (this.idempotency.size >= CACHE_LIMIT) {
      const now = Date.now();
      for (const [k, v] of this.idempotency) if (v.expiresAt <= now) this.idempotency.delete(k);
      // Still full: drop the oldest entries (a Map iterates in insertion order).
      for (const k of this.idempotency.keys()) {
        if (this.idempotency.size < CACHE_LIMIT * 0.9) break;
        this.idempotency.delete(k);
      }
    }
    this.idempotency.set(key, c);
  }

  /** Decides a command on a transaction this gateway starts and ends in one go, and records its events durably. */
  private async recordDecided(transactionId: string, cmd: TransactionCommand): Promise<void> {
    for (const e of decideTransaction(cmd, initialTransaction(transactionId))) await this.recorder.record(e);
  }

  /** Forwards to the hub, then records what the client is about to get before it gets it. */
  private async forward(call: ParsedCall, t: Forwarded): Promise<GatewayAnswer> {
    const { answer, fault: f } = await this.exchange(call, t);
    const request = {
      xRoadId: t.xRoadId.slice(0, 255),
      lgsp: t.lgsp,
      client: t.client,
      service: t.service,
      provider: providerOf(t.service),
      userId: call.userId,
      requestSize: t.size,
      requestInAt: t.requestInAt,
    };
    await this.recordDecided(t.transactionId, {
      kind: 'AnswerClient',
      at: Date.now(),
      request,
      statusCode: answer.status,
      ...(f ? { faultCode: f.type, faultString: f.message } : {}),
    });
    return answer;
  }

  /** The answer for the client, and the fault it carries (the gateway's own, or the hub's). */
  private async exchange(call: ParsedCall, t: Forwarded): Promise<{ answer: GatewayAnswer; fault?: Fault }> {
    const deadlineAt = t.requestInAt + this.config.EXCHANGE_TIMEOUT_MS;
    const req: ExchangeRequest = {
      transactionId: t.transactionId,
      xRoadId: t.xRoadId,
      lgsp: t.lgsp,
      client: t.client,
      service: t.service,
      userId: call.userId,
      issue: call.issue,
      method: t.method,
      path: call.path,
      query: call.query,
      body: t.body,
      requestSize: t.size,
      requestInAt: t.requestInAt,
      deadlineAt,
    };
    let res: ExchangeResponse;
    try {
      // A little past the hub's deadline, so the hub's own timeout answer arrives first.
      res = await this.hub.request<ExchangeRequest, ExchangeResponse>(EXCHANGE_OPERATION, req, this.config.EXCHANGE_TIMEOUT_MS + 1000, t.transactionId);
    } catch (e) {
      const f =
        e instanceof RequestTimeoutError
          ? fault(FaultTypes.timeout, 504, `the NDXP hub did not answer within ${this.config.EXCHANGE_TIMEOUT_MS + 1000} ms`)
          : fault(FaultTypes.internalError, 500, `the LGSP could not forward the request: ${(e as Error).message}`);
      return { answer: this.faultAnswer(f, t.xRoadId, t.hash, t.transactionId, t.lgsp, t.service), fault: f };
    }
    if (res.fault) return { answer: this.faultAnswer(res.fault, t.xRoadId, t.hash, t.transactionId, t.lgsp, t.service), fault: res.fault };
    const answer: GatewayAnswer = {
      status: res.status,
      headers: { 'X-Road-Id': t.xRoadId, 'X-Road-Request-Hash': t.hash, 'X-Road-Transaction-Id': t.transactionId },
      body: res.body ?? null,
      lgsp: t.lgsp,
      service: t.service,
      fromCache: false,
    };
    return { answer };
  }

  private faultAnswer(f: Fault, xRoadId: string, hash: string, transactionId: string, lgsp: string, service: string): GatewayAnswer {
    return {
      status: f.status,
      headers: { 'X-Road-Id': xRoadId, 'X-Road-Request-Hash': hash, 'X-Road-Error': f.type, 'X-Road-Transaction-Id': transactionId },
      body: { type: f.type, message: f.message, detail: transactionId },
      lgsp,
      service,
      fromCache: false,
    };
  }
}
