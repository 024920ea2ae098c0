import { Injectable } from '@nestjs/common';
import { randomUUID } from 'crypto';
import {
  ClientId,
  clientKey,
  decideTransaction,
  EXCHANGE_OPERATION,
  ExchangeRequest,
  ExchangeResponse,
  Fault,
  fault,
  faultCodeInStyle,
  FaultTypes,
  initialTransaction,
  providerOf,
  RequestFacts,
  serviceKey,
  subsystemKey,
  TransactionCommand,
  withoutNul,
  XROAD_INSTANCE,
} from '@ndxp/contracts';
import { RegistryViewService, RequestTimeoutError } from '@ndxp/platform';
import { AnswerRecorder } from '../record/answer-recorder.service';
import { LgspConfig } from '../lgsp.config';
import { HubClientService } from './hub-client.service';
import { fingerprintOf, IdempotencyStore, StoredAnswer } from './idempotency';
import { allowedMethods, getOpenApi, listMethods } from './metaservices';
import {
  apiKeyOf,
  DistinctHeaders,
  encodeXRoadId,
  errorMediaType,
  faultBody,
  forwardedHeaderLines,
  headerRecord,
  lastHeader,
  ParsedCall,
  parseCall,
  requestHash,
  responseHeaders,
  securityServerProblem,
} from './xroad-protocol';

/** A value Node will put in a header: what is not printable ASCII is percent-encoded (a refused path may hold anything). */
const headerSafe = (s: string) => s.replace(/[^\x20-\x7e]/gu, (c) => encodeURIComponent(c));

export interface GatewayInput {
  method: string;
  /** The headers as sent: names and values alternating, in order (Node's rawHeaders). */
  rawHeaders: string[];
  /** The request target as sent: path and query, undecoded. */
  url: string;
  headers: DistinctHeaders;
  /** The body, or the fault for one that could not be read (too large). */
  body: Buffer | Fault;
}

export interface GatewayAnswer extends StoredAnswer {
  /** Which LGSP answered (for metrics), '' when none could be told. */
  lgsp: string;
  service: string;
  /** A retry answered with the stored answer of its Idempotency-Key. */
  replayed: boolean;
  /** A metaservice call: answered by the gateway, not a transaction. */
  metaservice?: ParsedCall['metaservice'];
}

/** One request as the gateway forwards it: what it is, and the X-Road headers of its answer. */
interface Exchange {
  transactionId: string;
  requestId: string;
  xRoadId: string;
  client: string;
  service: string;
  lgsp: string;
  facts: RequestFacts;
  /** x-road-id, -client, -service, -request-id, -request-hash: on every answer the provider gave (RestResponse). */
  xroadHeaders: Record<string, string>;
  /** The client's end-to-end headers and the X-Road ones, for the provider. */
  providerHeaders: Record<string, string>;
  errorMedia: ReturnType<typeof errorMediaType>;
}

/** A query parameter by name, matched case-insensitively as the reference does (URLEncodedUtils, equalsIgnoreCase). */
function queryParam(rawQuery: string, name: string): string | undefined {
  for (const [k, v] of new URLSearchParams(rawQuery)) if (k.toLowerCase() === name.toLowerCase()) return v;
  return undefined;
}

/** The emulator's own header: the ledger row of this request (GET /ledger/{id}); X-Road has no such header. */
const TRANSACTION_HEADER = 'x-road-transaction-id';

const clientParts = (id: ClientId): string[] => [id.instance, id.memberClass, id.memberCode, ...(id.subsystemCode ? [id.subsystemCode] : [])];

/**
 * The LGSP's security server: parse the X-Road call, authenticate the calling
 * system, forward the request untouched to NDXP over Kafka, and give back the
 * provider's answer untouched, or a platform fault in X-Road's form. Every
 * request ends as one transaction record, written before the answer is sent.
 */
@Injectable()
export class GatewayService {
  private readonly idempotency: IdempotencyStore;

  constructor(
    private readonly hub: HubClientService,
    private readonly registry: RegistryViewService,
    private readonly recorder: AnswerRecorder,
    private readonly config: LgspConfig,
  ) {
    this.idempotency = new IdempotencyStore(config.IDEMPOTENCY_TTL_S * 1000);
  }

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
    const parsed = parseCall(input.method, input.url, input.headers);
    const body = Buffer.isBuffer(input.body) ? input.body : Buffer.alloc(0);
    const call = parsed.ok ? parsed.call : undefined;
    const key = apiKeyOf(input.headers);
    const cred = key === undefined ? undefined : this.registry.checkApiKey(key, call?.client && clientKey(call.client));
    const client = call?.client ? clientKey(call.client) : cred?.ok ? cred.client : '';
    const service = call ? serviceKey(call.service) : parsed.ok ? '' : parsed.serviceText;
    // The LGSP only from a parsed identifier: it labels metrics, so junk must not reach it.
    const lgsp = call?.client?.memberCode ?? (cred?.ok ? cred.client.split('/')[2] : '');
    const x = this.exchangeFor(input, call, { client: client || (parsed.ok ? '' : parsed.clientText), service, lgsp }, body);

    if (!parsed.ok) return this.refuse(x, parsed.fault);
    if (!Buffer.isBuffer(input.body)) return this.refuse(x, input.body);
    // As the client's security server: is the client its own (registered here), then did it authenticate.
    const notHosted = () => fault(FaultTypes.unknownMember, `this gateway hosts no LGSP for member ${x.lgsp} (see GET /lgsps for the ${this.hosted().length} it hosts)`);
    if (call!.client && !this.hosts(x.lgsp)) return this.refuse(x, notHosted());
    if (!key) return this.refuse(x, fault(FaultTypes.sslAuthenticationFailed, 'the calling system must authenticate to its LGSP: send its API key in X-API-Key'));
    if (!cred!.ok) return this.refuse(x, fault(FaultTypes.sslAuthenticationFailed, cred!.message));
    if (!this.hosts(x.lgsp)) return this.refuse(x, notHosted());
    const securityServer = lastHeader(input.headers, 'x-road-security-server');
    const ssProblem = securityServer === undefined ? undefined : securityServerProblem(securityServer, call!.service);
    if (ssProblem) return this.refuse(x, fault(FaultTypes.invalidSecurityServer, ssProblem));
    if (call!.metaservice && input.method === 'GET') return this.metaservice(call!, x);
    return this.forwardOnce(input, call!, x, body);
  }

  /**
   * listMethods, allowedMethods, getOpenAPI of a provider (PR-MREST): answered from the registry view, no
   * access right needed (RestMetadataServiceHandlerImpl). Not a transaction with a national database, so
   * not in the ledger.
   */
  private metaservice(call: ParsedCall, x: Exchange): GatewayAnswer {
    const state = this.registry.state;
    const provider = subsystemKey(call.service);
    const answer =
      call.metaservice === 'listMethods'
        ? listMethods(state, provider)
        : call.metaservice === 'allowedMethods'
          ? allowedMethods(state, x.client, provider)
          : getOpenApi(queryParam(call.rawQuery, 'serviceCode'), provider);
    if (answer.fault) return this.faultAnswer(x, this.inStyle(answer.fault));
    const body = Buffer.from(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
    return {
      status: answer.status,
      headers: { 'content-type': answer.contentType, ...x.xroadHeaders },
      body,
      lgsp: x.lgsp,
      service: x.service,
      replayed: false,
      metaservice: call.metaservice,
    };
  }

  /** Forwards, unless the Idempotency-Key says the answer is known (replayed) or the key is misused (refused). */
  private async forwardOnce(input: GatewayInput, call: ParsedCall, x: Exchange, body: Buffer): Promise<GatewayAnswer> {
    if (!call.idempotencyKey) return this.forward(input, call, x, body);
    const fingerprint = fingerprintOf(input.method, x.service, call.path, call.rawQuery, body);
    const claim = this.idempotency.claim(x.client, call.idempotencyKey, fingerprint);
    if (claim.kind === 'payload-differs')
      return this.refuse(x, { ...fault(FaultTypes.malformedRequest, `Idempotency-Key ${call.idempotencyKey} was used for a different request`), status: 422 });
    if (claim.kind === 'in-flight')
      return this.refuse(x, { ...fault(FaultTypes.malformedRequest, `a request with Idempotency-Key ${call.idempotencyKey} is still in progress: retry later`), status: 409 });
    if (claim.kind === 'replay') return this.replay(x, claim.answer, claim.transactionId);
    const answer = await this.forward(input, call, x, body);
    this.idempotency.settle(x.client, call.idempotencyKey, answer, x.transactionId);
    return answer;
  }

  private exchangeFor(input: GatewayInput, call: ParsedCall | undefined, who: { client: string; service: string; lgsp: string }, body: Buffer): Exchange {
    const { client, service, lgsp } = who;
    const transactionId = randomUUID();
    const requestId = randomUUID();
    // The client's X-Road-Id even when the request could not be parsed: the refusal's ledger row is found by it.
    const sentId = call ? call.xRoadId : lastHeader(input.headers, 'x-road-id');
    const xRoadId = sentId !== undefined ? withoutNul(sentId) : `${XROAD_INSTANCE}-${randomUUID()}`;
    // What the provider gets, and what the hash covers: the client's headers, then the ones the platform adds.
    const lines = forwardedHeaderLines(input.rawHeaders);
    lines.push(['x-road-request-id', requestId]);
    if (sentId === undefined) lines.push(['x-road-id', xRoadId]);
    if (call && !call.client && client) lines.push(['x-road-client', client]); // the adapter form: the key said who calls
    const xroadHeaders: Record<string, string> = {
      'x-road-id': headerSafe(xRoadId),
      'x-road-client': call?.client ? encodeXRoadId(clientParts(call.client)) : headerSafe(client),
      'x-road-service': call ? encodeXRoadId([...clientParts(call.service), call.service.serviceCode]) : headerSafe(service),
      'x-road-request-id': requestId,
      'x-road-request-hash': requestHash(input.method, input.url, lines, body),
    };
    const facts: RequestFacts = {
      xRoadId: xRoadId.slice(0, 255),
      lgsp,
      client,
      service,
      provider: providerOf(service),
      ...(call?.userId !== undefined ? { userId: call.userId.slice(0, 255) } : {}),
      ...(call?.representedParty !== undefined ? { representedParty: call.representedParty.slice(0, 255) } : {}),
      ...(call?.idempotencyKey !== undefined ? { idempotencyKey: call.idempotencyKey.slice(0, 255) } : {}),
      requestSize: body.length,
      requestInAt: Date.now(),
    };
    const errorMedia = errorMediaType(lastHeader(input.headers, 'accept'));
    return { transactionId, requestId, xRoadId, client, service, lgsp, facts, xroadHeaders, providerHeaders: headerRecord(lines), errorMedia };
  }

  /** Decides a command on a transaction this gateway starts and ends in one go, and records its events durably. */
  private async recordDecided(transactionId: string, cmd: TransactionCommand): Promise<void> {
    for (const e of decideTransaction(cmd, initialTransaction(transactionId))) await this.recorder.record(e);
  }

  /** Refused at the LGSP: recorded, then answered with the fault. */
  private async refuse(x: Exchange, f: Fault): Promise<GatewayAnswer> {
    const shown = this.inStyle(f);
    await this.recordDecided(x.transactionId, { kind: 'RefuseAtLgsp', at: Date.now(), request: x.facts, fault: shown });
    return this.faultAnswer(x, shown);
  }

  /** A retry with a known Idempotency-Key: recorded as its own row linked to the first, answered as the first was. */
  private async replay(x: Exchange, stored: StoredAnswer, firstTransactionId: string): Promise<GatewayAnswer> {
    const facts = { ...x.facts, replayOf: firstTransactionId };
    await this.recordDecided(x.transactionId, { kind: 'AnswerClient', at: Date.now(), request: facts, statusCode: stored.status });
    const headers = { ...stored.headers, ...x.xroadHeaders, [TRANSACTION_HEADER]: x.transactionId, 'idempotent-replayed': 'true' };
    return { ...stored, headers, lgsp: x.lgsp, service: x.service, replayed: true };
  }

  /** Forwards to the hub, then records what the client is about to get before it gets it. */
  private async forward(input: GatewayInput, call: ParsedCall, x: Exchange, body: Buffer): Promise<GatewayAnswer> {
    const res = await this.exchange(input, call, x, body);
    const shown = res.fault ? this.inStyle(res.fault) : undefined;
    await this.recordDecided(x.transactionId, {
      kind: 'AnswerClient',
      at: Date.now(),
      request: x.facts,
      statusCode: shown?.status ?? res.status,
      ...(shown ? { faultCode: shown.type, faultString: shown.message, ...(shown.timedOut ? { timedOut: true } : {}) } : {}),
    });
    if (shown) return this.faultAnswer(x, shown);
    const headers = { ...responseHeaders(res.headers), ...x.xroadHeaders, [TRANSACTION_HEADER]: x.transactionId };
    return { status: res.status, headers, body: Buffer.from(res.body ?? '', 'base64'), lgsp: x.lgsp, service: x.service, replayed: false };
  }

  /** The hub's answer, or the gateway's own fault when the hub could not be asked or did not answer. */
  private async exchange(input: GatewayInput, call: ParsedCall, x: Exchange, body: Buffer): Promise<ExchangeResponse> {
    const deadlineAt = x.facts.requestInAt + this.config.EXCHANGE_TIMEOUT_MS;
    const req: ExchangeRequest = {
      transactionId: x.transactionId,
      xRoadId: x.xRoadId,
      requestId: x.requestId,
      lgsp: x.lgsp,
      client: x.client,
      service: x.service,
      userId: call.userId,
      issue: call.issue,
      representedParty: call.representedParty,
      method: input.method.toUpperCase(),
      path: call.path,
      rawQuery: call.rawQuery,
      headers: x.providerHeaders,
      ...(body.length > 0 ? { body: body.toString('base64') } : {}),
      requestSize: body.length,
      requestInAt: x.facts.requestInAt,
      deadlineAt,
    };
    const waitMs = this.config.EXCHANGE_TIMEOUT_MS + 1000; // a little past the hub's deadline, so the hub's own timeout answer arrives first
    try {
      return await this.hub.request<ExchangeRequest, ExchangeResponse>(EXCHANGE_OPERATION, req, waitMs, x.transactionId);
    } catch (e) {
      const f =
        e instanceof RequestTimeoutError
          ? fault(FaultTypes.ioError, `the NDXP hub did not answer within ${waitMs} ms: Read timed out`, { timedOut: true })
          : fault(FaultTypes.internalError, `the LGSP could not forward the request: ${(e as Error).message}`);
      return { transactionId: x.transactionId, status: f.status, fault: f, responseSize: 0 };
    }
  }

  private inStyle(f: Fault): Fault {
    return { ...f, type: faultCodeInStyle(f.type, this.config.FAULT_CODE_STYLE) };
  }

  private faultAnswer(x: Exchange, f: Fault): GatewayAnswer {
    // The detail is the fault's own id; X-Road sends a fresh UUID, here it is the ledger row's. An error answer
    // carries X-Road-Error and no other X-Road header (ClientRestMessageHandler).
    const { contentType, body } = faultBody(f.type, f.message, x.transactionId, x.errorMedia);
    const headers = { 'X-Road-Error': f.type, 'content-type': contentType, [TRANSACTION_HEADER]: x.transactionId };
    return { status: f.status, headers, body, lgsp: x.lgsp, service: x.service, replayed: false };
  }
}
