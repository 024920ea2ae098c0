import { Injectable } from '@nestjs/common';
import { randomUUID } from 'crypto';
import {
  ClientId,
  clientKey,
  decideTransaction,
  describeInjectedFault,
  EXCHANGE_OPERATION,
  ExchangeRequest,
  ExchangeResponse,
  Fault,
  fault,
  faultCodeInStyle,
  faultForDenial,
  FAULT_HEADER,
  FaultTypes,
  initialTransaction,
  InjectedFault,
  isTestClient,
  MAX_ENVELOPE_BYTES,
  envelopeBytes,
  parseInjectedFault,
  providerInjection,
  providerOf,
  RequestFacts,
  serviceKey,
  statusOfFaultCode,
  subsystemKey,
  TransactionCommand,
  withoutNul,
  XROAD_INSTANCE,
} from '@ndxp/contracts';
import { serviceLabel } from '@ndxp/metrics';
import { RegistryViewService, RequestTimeoutError } from '@ndxp/platform';
import { AnswerRecorder } from '../record/answer-recorder.service';
import { LgspConfig } from '../lgsp.config';
import { HubClientService } from './hub-client.service';
import { fingerprintOf, IdempotencyStore, StoredAnswer } from './idempotency';
import { allowedMethods, getOpenApi, listMethods } from './metaservices';
import { TokenBuckets } from './rate-limit';
import { certificateAuthentication, ClientAuthentication, TlsPeer } from './tls-auth';
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
  /**
   * Reads the body, or gives the fault for one that cannot be read (too large). Called only once the
   * request has passed the credential checks: a refused request's body is never read into memory.
   */
  readBody: () => Promise<Buffer | Fault>;
  /** The TLS connection the request came on (absent: plain HTTP): the client's certificate, when it sent one. */
  tls?: TlsPeer;
}

export interface GatewayAnswer extends StoredAnswer {
  /** Which LGSP answered (for metrics), '' when none could be told. */
  lgsp: string;
  service: string;
  /** A retry answered with the stored answer of its Idempotency-Key. */
  replayed: boolean;
  /** A metaservice call: answered by the gateway, not a transaction. */
  metaservice?: ParsedCall['metaservice'];
  /**
   * A test client's X-Emulator-Fault aimed at the connection (the HTTP side does it): `reset` closes it with no
   * answer, `slowBodyMs` sends the body over that time.
   */
  transport?: { reset?: true; slowBodyMs?: number };
  /**
   * Who the exchange was with, as the gateway read it (for the journal): the client and service named, the LGSP
   * (the client's member, from a parsed identifier or the key's owner), and the owner, the subsystem whose
   * credential checked out (absent when none did).
   */
  parties?: { client: string; service: string; lgsp?: string; owner?: string };
}

/** The provider's header on an answer a fault rule injected (`rule <id>`): recorded in the ledger as injected. */
export const INJECTED_BY_RULE_HEADER = 'x-emulator-injected';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One request as the gateway forwards it: what it is, and the X-Road headers of its answer. */
interface Exchange {
  transactionId: string;
  requestId: string;
  xRoadId: string;
  client: string;
  service: string;
  lgsp: string;
  facts: RequestFacts;
  /** The headers as forwarded, for the request hash once the body is read. */
  lines: Array<[string, string]>;
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

/** The size the client declared (Content-Length), for the record of a request refused before its body was read. */
function declaredSize(headers: DistinctHeaders): number {
  const v = lastHeader(headers, 'content-length');
  return v !== undefined && /^\d{1,10}$/.test(v) && Number(v) <= 2 ** 31 - 1 ? Number(v) : 0;
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
  /** Per client subsystem, when RATE_LIMIT_PER_CLIENT_RPS is set: its keys are registered subsystems (a key's owner), so bounded. */
  private readonly rateLimits: TokenBuckets | undefined;

  constructor(
    private readonly hub: HubClientService,
    private readonly registry: RegistryViewService,
    private readonly recorder: AnswerRecorder,
    private readonly config: LgspConfig,
  ) {
    this.idempotency = new IdempotencyStore(config.IDEMPOTENCY_TTL_S * 1000);
    const rps = config.RATE_LIMIT_PER_CLIENT_RPS;
    this.rateLimits = rps > 0 ? new TokenBuckets(rps, 2 * rps) : undefined;
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

  private membersCache: { position: number; members: Set<string> } | undefined;

  /** A client the registry knows: a registered subsystem, or a member one of them belongs to (a member-level X-Road-Client). */
  private registeredClient(client: string): boolean {
    const state = this.registry.state;
    if (state.subsystems.has(client)) return true;
    if (this.membersCache?.position !== state.position)
      this.membersCache = { position: state.position, members: new Set([...state.subsystems.keys()].map((s) => s.split('/').slice(0, 3).join('/'))) };
    return this.membersCache.members.has(client);
  }

  /**
   * Metric labels from the registry's values only, never from the request: the LGSP when this gateway hosts it,
   * the service code when the service is in the registry; `unknown` otherwise, so junk adds no series.
   */
  metricLabels(answer: Pick<GatewayAnswer, 'lgsp' | 'service'>): { lgsp: string; service: string } {
    return {
      lgsp: answer.lgsp && this.hosts(answer.lgsp) ? answer.lgsp : 'unknown',
      service: serviceLabel(answer.service, this.registry.state.services),
    };
  }

  async handle(input: GatewayInput): Promise<GatewayAnswer> {
    const parsed = parseCall(input.method, input.url, input.headers);
    const call = parsed.ok ? parsed.call : undefined;
    const cred = this.authenticate(input, call?.client && clientKey(call.client));
    const named = call?.client ? clientKey(call.client) : cred?.ok ? cred.client : '';
    const client = named || (parsed.ok ? '' : parsed.clientText);
    const service = call ? serviceKey(call.service) : parsed.ok ? '' : parsed.serviceText;
    // The LGSP only from a parsed identifier: it labels metrics, so junk must not reach it.
    const lgsp = call?.client?.memberCode ?? (cred?.ok ? cred.client.split('/')[2] : '');
    const answer = await this.answer(input, parsed, cred, this.exchangeFor(input, call, { client, service, lgsp }));
    return { ...answer, parties: { client, service, ...(lgsp ? { lgsp } : {}), ...(cred?.ok ? { owner: cred.client } : {}) } };
  }

  private async answer(input: GatewayInput, parsed: ReturnType<typeof parseCall>, cred: ReturnType<GatewayService['authenticate']>, x: Exchange): Promise<GatewayAnswer> {
    const call = parsed.ok ? parsed.call : undefined;

    // Parse, hosted, key: all before the body is read, so an unauthenticated request costs no memory.
    if (!parsed.ok) return this.refuse(x, parsed.fault);
    // As the client's security server: is the client its own (registered here), then did it authenticate.
    const notHosted = () => fault(FaultTypes.unknownMember, `this gateway hosts no LGSP for member ${x.lgsp} (see GET /lgsps for the ${this.hosted().length} it hosts)`);
    if (call!.client && !this.hosts(x.lgsp)) return this.refuse(x, notHosted());
    if (!cred) return this.refuse(x, fault(FaultTypes.sslAuthenticationFailed, 'the calling system must authenticate to its LGSP: send its API key in X-API-Key'));
    if (!cred.ok) return this.refuse(x, fault(FaultTypes.sslAuthenticationFailed, cred.message));
    if (!this.hosts(x.lgsp)) return this.refuse(x, notHosted());
    const limited = this.rateLimits?.take(cred!.client);
    if (limited && !limited.ok) return this.refuse(x, this.rateLimitFault(cred!.client, limited.retryAfterMs), { 'retry-after': String(Math.ceil(limited.retryAfterMs / 1000)) });
    const injection = this.injectionOf(input, x.client);
    if (injection && !injection.ok) return this.refuse(x, fault(FaultTypes.malformedRequest, injection.message));
    const inject = injection?.value;
    const body = await input.readBody();
    if (!Buffer.isBuffer(body)) return this.refuse(x, body);
    this.withBody(x, input, body);
    const securityServer = lastHeader(input.headers, 'x-road-security-server');
    const ssProblem = securityServer === undefined ? undefined : securityServerProblem(securityServer, call!.service);
    if (ssProblem) return this.refuse(x, fault(FaultTypes.invalidSecurityServer, ssProblem));
    if (call!.metaservice && input.method === 'GET') return this.metaservice(call!, x);
    // Defence in depth: the access right as the hub checks it, from this gateway's registry view and with the same fault.
    const decision = this.registry.decide(x.client, x.service);
    if (!decision.allowed) return this.refuse(x, faultForDenial(decision));
    if (inject) x.facts.injected = describeInjectedFault(inject);
    if (inject?.fault) return this.withTransport(await this.injectedFault(x, inject), inject);
    const req = this.exchangeRequest(input, call!, x, body);
    const toProvider = inject && providerInjection(inject);
    if (toProvider) req.inject = toProvider;
    const size = envelopeBytes(req);
    if (size > MAX_ENVELOPE_BYTES)
      return this.refuse(x, fault(FaultTypes.malformedRequest, `the request does not fit in one message to NDXP: ${size} bytes as sent, at most ${MAX_ENVELOPE_BYTES}`));
    return this.withTransport(await this.forwardOnce(input, call!, x, body, req), inject);
  }

  /**
   * The request's X-Emulator-Fault, read: undefined when there is none; a refusal when it is junk, or sent by a
   * client the registry does not mark as a test client (refused rather than ignored: a team must not believe
   * it tested a fault it never got). Several headers are read as one list.
   */
  private injectionOf(input: GatewayInput, client: string): { ok: true; value: InjectedFault } | { ok: false; message: string } | undefined {
    const values = input.headers[FAULT_HEADER];
    if (!values || values.length === 0) return undefined;
    if (!isTestClient(this.registry.state, client))
      return { ok: false, message: `X-Emulator-Fault is honoured only for test clients, and ${client || 'this client'} is not one (see the registry's testClient)` };
    return parseInjectedFault(values.join(','));
  }

  /** `fault=` of X-Emulator-Fault: answered by the platform with that code, after the latency asked for; the provider is not asked. */
  private async injectedFault(x: Exchange, inject: InjectedFault): Promise<GatewayAnswer> {
    if (inject.latencyMs) await sleep(inject.latencyMs);
    const shown = this.inStyle({ type: inject.fault!, status: statusOfFaultCode(inject.fault!), message: `injected by X-Emulator-Fault: ${x.facts.injected}` });
    await this.recordDecided(x.transactionId, {
      kind: 'AnswerClient',
      at: Date.now(),
      request: x.facts,
      statusCode: shown.status,
      faultCode: shown.type,
      faultString: shown.message,
    });
    return this.faultAnswer(x, shown);
  }

  /** `reset` and `slow-body` of X-Emulator-Fault: done by the HTTP side, on the answer's connection. */
  private withTransport(answer: GatewayAnswer, inject: InjectedFault | undefined): GatewayAnswer {
    if (!inject?.reset && !inject?.slowBodyMs) return answer;
    return { ...answer, transport: { ...(inject.reset ? { reset: true } : {}), ...(inject.slowBodyMs ? { slowBodyMs: inject.slowBodyMs } : {}) } };
  }

  /** Its TLS certificate when the client sent one (or must: LGSP_TLS_REQUIRE_CERT), else its API key; undefined: neither. */
  private authenticate(input: GatewayInput, client: string | undefined): ClientAuthentication | undefined {
    const byCertificate = certificateAuthentication(this.registry.state, input.tls, client, this.config.LGSP_TLS_REQUIRE_CERT);
    if (byCertificate) return byCertificate;
    const key = apiKeyOf(input.headers);
    return key === undefined ? undefined : this.registry.checkApiKey(key, client);
  }

  private rateLimitFault(client: string, retryAfterMs: number): Fault {
    const rps = this.config.RATE_LIMIT_PER_CLIENT_RPS;
    const message = `${client} sent more than ${rps} requests a second (bursts of ${2 * rps}) through this LGSP: retry in ${retryAfterMs} ms`;
    return { ...fault(FaultTypes.rateLimited, message), status: 429 };
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
  private async forwardOnce(input: GatewayInput, call: ParsedCall, x: Exchange, body: Buffer, req: ExchangeRequest): Promise<GatewayAnswer> {
    if (!call.idempotencyKey) return this.forward(x, req);
    const fingerprint = fingerprintOf(input.method, x.service, call.path, call.rawQuery, body);
    const claim = this.idempotency.claim(x.client, call.idempotencyKey, fingerprint);
    if (claim.kind === 'payload-differs')
      return this.refuse(x, { ...fault(FaultTypes.malformedRequest, `Idempotency-Key ${call.idempotencyKey} was used for a different request`), status: 422 });
    if (claim.kind === 'in-flight')
      return this.refuse(x, { ...fault(FaultTypes.malformedRequest, `a request with Idempotency-Key ${call.idempotencyKey} is still in progress: retry later`), status: 409 });
    if (claim.kind === 'replay') return this.replay(x, claim.answer, claim.transactionId);
    const answer = await this.forward(x, req);
    this.idempotency.settle(x.client, call.idempotencyKey, answer, x.transactionId);
    return answer;
  }

  /** The exchange as far as the head tells it; the body's size and hash are added once it is read (withBody). */
  private exchangeFor(input: GatewayInput, call: ParsedCall | undefined, who: { client: string; service: string; lgsp: string }): Exchange {
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
      // What the client declared: the body of a request refused before reading it is never read.
      requestSize: declaredSize(input.headers),
      requestInAt: Date.now(),
      // Counted under `unknown` in the statistics, so that made-up identifiers add no rows there.
      ...(client && this.registeredClient(client) ? {} : { unregisteredClient: true }),
      ...(this.registry.state.services.has(service) ? {} : { unregisteredService: true }),
    };
    const errorMedia = errorMediaType(lastHeader(input.headers, 'accept'));
    return { transactionId, requestId, xRoadId, client, service, lgsp, facts, lines, xroadHeaders, providerHeaders: headerRecord(lines), errorMedia };
  }

  /** The body read: its size for the record, and the request hash over the head and it. */
  private withBody(x: Exchange, input: GatewayInput, body: Buffer): void {
    x.facts.requestSize = body.length;
    x.xroadHeaders['x-road-request-hash'] = requestHash(input.method, input.url, x.lines, body);
  }

  /** Decides a command on a transaction this gateway starts and ends in one go, and records its events durably. */
  private async recordDecided(transactionId: string, cmd: TransactionCommand): Promise<void> {
    for (const e of decideTransaction(cmd, initialTransaction(transactionId))) await this.recorder.record(e);
  }

  /** Refused at the LGSP: recorded, then answered with the fault. */
  private async refuse(x: Exchange, f: Fault, headers: Record<string, string> = {}): Promise<GatewayAnswer> {
    const shown = this.inStyle(f);
    await this.recordDecided(x.transactionId, { kind: 'RefuseAtLgsp', at: Date.now(), request: x.facts, fault: shown });
    const answer = this.faultAnswer(x, shown);
    return { ...answer, headers: { ...answer.headers, ...headers } };
  }

  /** A retry with a known Idempotency-Key: recorded as its own row linked to the first, answered as the first was. */
  private async replay(x: Exchange, stored: StoredAnswer, firstTransactionId: string): Promise<GatewayAnswer> {
    const facts = { ...x.facts, replayOf: firstTransactionId };
    await this.recordDecided(x.transactionId, { kind: 'AnswerClient', at: Date.now(), request: facts, statusCode: stored.status });
    const headers = { ...stored.headers, ...x.xroadHeaders, [TRANSACTION_HEADER]: x.transactionId, 'idempotent-replayed': 'true' };
    return { ...stored, headers, lgsp: x.lgsp, service: x.service, replayed: true };
  }

  /** Forwards to the hub, then records what the client is about to get before it gets it. */
  private async forward(x: Exchange, req: ExchangeRequest): Promise<GatewayAnswer> {
    const res = await this.exchange(x, req);
    const byRule = res.headers?.[INJECTED_BY_RULE_HEADER];
    if (byRule && !x.facts.injected) x.facts.injected = byRule.slice(0, 255);
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

  /** The envelope for the hub: the request as sent, with what the gateway knows of it. */
  private exchangeRequest(input: GatewayInput, call: ParsedCall, x: Exchange, body: Buffer): ExchangeRequest {
    return {
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
      deadlineAt: x.facts.requestInAt + this.config.EXCHANGE_TIMEOUT_MS,
    };
  }

  /** The hub's answer, or the gateway's own fault when the hub could not be asked or did not answer. */
  private async exchange(x: Exchange, req: ExchangeRequest): Promise<ExchangeResponse> {
    const waitMs = this.config.EXCHANGE_TIMEOUT_MS + 1000; // a little past the hub's deadline, so the hub's own timeout answer arrives first
    try {
      return await this.hub.request<ExchangeRequest, ExchangeResponse>(EXCHANGE_OPERATION, req, waitMs, { lgsp: x.lgsp, key: x.transactionId });
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
