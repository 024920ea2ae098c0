import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import {
  base64Size,
  DatabaseName,
  decideTransaction,
  evolveTransaction,
  ExchangeRequest,
  ExchangeResponse,
  fault,
  faultForDenial,
  FaultTypes,
  HOT_TOPIC_PARTITIONS,
  initialTransaction,
  providerOf,
  PING_OPERATION,
  PingReply,
  PROVIDERS,
  PROVIDER_CALL_OPERATION,
  ProviderRequest,
  ProviderResponse,
  RequestFacts,
  Topics,
  TransactionCommand,
  TransactionEvent,
  TransactionState,
  serializeTransactionRecord,
  LgspKeyring,
  signingKey,
  SigningKey,
} from '@ndxp/contracts';
import { InboundRequest, KafkaRequester, KafkaService, RegistryViewService, RequestConsumer, RequestTimeoutError, sendReply } from '@ndxp/platform';
import { NdxpMetricsService } from '../observability/ndxp-metrics.service';
import { NdxpConfig } from '../ndxp.config';
import { decideOrigin, mayAnswerUnauthenticated, namedLgsp, OriginRefused, signatureRefusal } from './origin';

/** What the first event of a transaction records about the request, accepted or not. */
function requestFacts(req: ExchangeRequest, provider: string): RequestFacts {
  return {
    xRoadId: req.xRoadId,
    lgsp: req.lgsp,
    client: req.client,
    service: req.service,
    provider,
    userId: req.userId,
    requestSize: req.requestSize,
    requestInAt: req.requestInAt,
  };
}

/**
 * The same for a request the hub could not trust: any field may be anything, so only strings and numbers are kept, and
 * the LGSP only when the registry knows the agency (it labels metrics: a forged one must not add a series).
 */
function untrustedFacts(req: Partial<Record<keyof ExchangeRequest, unknown>>, at: number, knownAgency: (code: string) => boolean): RequestFacts {
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  const num = (v: unknown, d: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);
  const service = text(req.service);
  return {
    xRoadId: text(req.xRoadId),
    lgsp: knownAgency(text(req.lgsp)) ? text(req.lgsp) : '',
    client: text(req.client),
    service,
    provider: providerOf(service),
    userId: typeof req.userId === 'string' ? req.userId : undefined,
    requestSize: num(req.requestSize, 0),
    requestInAt: num(req.requestInAt, at),
  };
}

/** One transaction in the hub: its lifecycle state so far, and the database it went to. */
interface InFlight {
  state: TransactionState;
  database: string;
  /** Decided and folded in, not yet written: they go out with the next step's, as one record. */
  held: TransactionEvent[];
}

/**
 * The national hub: takes LGSP requests off Kafka, checks the client's grant
 * against the registry view, routes to the national database, correlates its
 * answer, enforces the deadline, and replies to the LGSP instance that asked.
 * Every step is a record of transaction events on `ndxp.transactions`.
 */
@Injectable()
export class RoutingService implements OnApplicationBootstrap {
  private readonly logger = new Logger(RoutingService.name);
  private providers!: KafkaRequester;
  private consumer!: RequestConsumer;
  /** transactionId → its state and database, kept past the deadline to recognise a late answer. */
  private readonly started = new Map<string, InFlight>();
  /** Checks that each request comes from a gateway holding the key of the LGSP it names (each derived from PLATFORM_SIGNING_KEY). */
  private readonly lgspKeys: LgspKeyring;
  /** Signs requests to the national databases (PROVIDER_SIGNING_KEY). */
  private readonly providerKey: SigningKey;
  /**
   * Refusals of unauthenticated requests since the last warning, per LGSP named (one the registry has; '' for any other
   * name): a flood must not flood the log too, yet a gateway signing for the wrong LGSP is named within 10 s.
   */
  private readonly unauthenticated = new Map<string, { count: number; warnedAt: number }>();
  private readonly knownAgency = (code: string): boolean => this.registry.state.agencies.has(code);

  constructor(
    private readonly kafka: KafkaService,
    private readonly registry: RegistryViewService,
    private readonly config: NdxpConfig,
    private readonly metrics: NdxpMetricsService,
  ) {
    this.lgspKeys = LgspKeyring.derivedFrom(config.PLATFORM_SIGNING_KEY);
    this.providerKey = signingKey(config.PROVIDER_SIGNING_KEY);
  }

  async onApplicationBootstrap(): Promise<void> {
    const id = this.config.INSTANCE_ID;
    this.providers = new KafkaRequester(this.kafka.kafka, this.kafka.batching, Topics.hubReplies(id), `ndxp-hub-replies-${id}`, {
      replyPartitions: 3,
      signingKey: this.providerKey,
      onUnmatched: (transactionId, body) => this.onLateAnswer(transactionId, body as ProviderResponse),
    });
    await this.providers.start([
      { topic: Topics.transactions, numPartitions: HOT_TOPIC_PARTITIONS },
      ...Object.keys(PROVIDERS).map((d) => ({ topic: Topics.providerRequests(d), numPartitions: HOT_TOPIC_PARTITIONS })),
    ]);
    this.consumer = new RequestConsumer(this.kafka.kafka, { topic: Topics.hubRequests, numPartitions: HOT_TOPIC_PARTITIONS }, 'ndxp-hub', (reqs) => this.onBatch(reqs), {
      verifyKey: (body) => this.lgspKeys.keyFor(namedLgsp(body)),
    });
    await this.consumer.start();
    this.kafka.trackLag('ndxp-hub', Topics.hubRequests);
    this.kafka.onShutdown(async () => {
      await this.consumer.stop();
      await this.providers.stop();
    });
    this.logger.log(`routing ${Topics.hubRequests} to the national databases`);
  }

  /** The events of one step of one transaction, as one record. */
  private emit(events: TransactionEvent[]): void {
    if (events.length === 0) return;
    this.kafka.batching
      .send(Topics.transactions, { key: events[0].transactionId, value: serializeTransactionRecord(events) })
      .catch((err) => this.logger.error(`transaction events ${events.map((e) => e.eventId).join(', ')} not recorded: ${(err as Error).message}`));
  }

  private reply(inbound: InboundRequest, r: ExchangeResponse): void {
    sendReply(this.kafka.batching, inbound, r).catch((e) => this.logger.error(`reply ${r.transactionId} lost: ${(e as Error).message}`));
  }

  /** Dispatches a batch without waiting for the databases: a slow one must not hold up the partition. */
  async onBatch(reqs: InboundRequest[]): Promise<void> {
    for (const inbound of reqs) {
      if (inbound.operation === PING_OPERATION) {
        if (inbound.signature !== 'valid') {
          this.refuseUnauthenticated(inbound, signatureRefusal(inbound.signature ?? 'missing', namedLgsp(inbound.body)), Date.now());
          continue;
        }
        const reply: PingReply = { hub: this.config.INSTANCE_ID, receivedAt: new Date().toISOString() };
        void sendReply(this.kafka.batching, inbound, reply);
        continue;
      }
      // A request the hub cannot handle is answered with a fault, never left to crash the process.
      void this.handle(inbound).catch((e) => {
        this.logger.error(`request ${(inbound.body as ExchangeRequest)?.transactionId ?? '?'} failed in the hub: ${(e as Error).stack}`);
        if (inbound.signature !== 'valid' && !mayAnswerUnauthenticated(inbound.replyTo)) return;
        const f = fault(FaultTypes.serverInternalError, `the hub could not handle the request: ${(e as Error).message}`);
        this.reply(inbound, { transactionId: (inbound.body as ExchangeRequest)?.transactionId ?? '', status: 500, fault: f, responseSize: 0 });
      });
    }
  }

  /**
   * A request not signed by a gateway: counted, recorded as refused at the hub when it names a transaction, and
   * answered with the fault only on an LGSP reply topic (a forged reply topic must not make the hub write elsewhere).
   */
  private refuseUnauthenticated(inbound: InboundRequest, origin: OriginRefused, at: number): void {
    this.metrics.m.rejections.inc({ reason: origin.reason });
    const body = (inbound.body ?? {}) as Partial<Record<keyof ExchangeRequest, unknown>>;
    const transactionId = typeof body.transactionId === 'string' ? body.transactionId : '';
    if (transactionId && inbound.operation !== PING_OPERATION) {
      const t: InFlight = { state: initialTransaction(transactionId), database: '', held: [] };
      this.step(t, { kind: 'RefuseAtHub', at, request: untrustedFacts(body, at, this.knownAgency), fault: origin.fault });
    }
    const answered = mayAnswerUnauthenticated(inbound.replyTo);
    if (answered) this.reply(inbound, { transactionId, status: origin.fault.status, fault: origin.fault, responseSize: 0 });
    this.warnUnauthenticated(inbound, origin, at, answered);
  }

  /** At most one warning each 10 s per LGSP named (see `unauthenticated`), naming it, with the latest refusal. */
  private warnUnauthenticated(inbound: InboundRequest, origin: OriginRefused, at: number, answered: boolean): void {
    const named = namedLgsp(inbound.body);
    const lgsp = named && this.registry.state.agencies.get(named)?.hasLgsp ? named : '';
    const seen = this.unauthenticated.get(lgsp) ?? { count: 0, warnedAt: 0 };
    this.unauthenticated.set(lgsp, seen);
    seen.count++;
    if (at - seen.warnedAt < 10_000) return;
    const quoted = (v: string) => JSON.stringify(v.slice(0, 120));
    const who = lgsp ? `naming LGSP ${lgsp}, not signed with its key,` : 'naming no LGSP of the registry, not signed by a gateway,';
    this.logger.warn(
      `refused ${seen.count} request(s) on ${Topics.hubRequests} ${who} since the last such warning (at most one each 10 s${lgsp ? ' per LGSP' : ''}); ` +
        `the latest: ${origin.reason}, operation ${quoted(inbound.operation)}, reply topic ${quoted(inbound.replyTo)}${answered ? '' : ' (not answered: no LGSP reply topic)'}`,
    );
    seen.count = 0;
    seen.warnedAt = at;
  }

  /**
   * Decides a command against a transaction's state and folds the events in. They are written with any held
   * before them, as one record; `hold` keeps them for the next step instead (the request and its routing
   * are one stage: one record, not two).
   */
  private step(t: InFlight, cmd: TransactionCommand, hold = false): TransactionEvent[] {
    const events = decideTransaction(cmd, t.state);
    t.state = events.reduce(evolveTransaction, t.state);
    t.held.push(...events);
    if (!hold) this.emit(t.held.splice(0));
    return events;
  }

  async handle(inbound: InboundRequest): Promise<void> {
    const req = inbound.body as ExchangeRequest;
    const hubInAt = Date.now();
    if (inbound.signature !== 'valid') {
      this.refuseUnauthenticated(inbound, signatureRefusal(inbound.signature ?? 'missing', namedLgsp(req)), hubInAt);
      return;
    }
    if (!req || typeof req.transactionId !== 'string') return;
    const t: InFlight = { state: initialTransaction(req.transactionId), database: '', held: [] };
    // Signed by a gateway: does it come from the LGSP it names, for one of that LGSP's members?
    const origin = decideOrigin(this.registry.state, req, inbound.signature);
    if (!origin.trusted) {
      this.metrics.m.rejections.inc({ reason: origin.reason });
      this.step(t, { kind: 'RefuseAtHub', at: hubInAt, request: untrustedFacts(req, hubInAt, this.knownAgency), fault: origin.fault });
      this.reply(inbound, { transactionId: req.transactionId, status: origin.fault.status, fault: origin.fault, responseSize: 0 });
      return;
    }
    const decision = this.registry.decide(req.client, req.service);
    if (!decision.allowed) {
      this.metrics.m.rejections.inc({ reason: decision.reason });
      const f = faultForDenial(decision);
      this.step(t, { kind: 'RefuseAtHub', at: hubInAt, request: requestFacts(req, providerOf(req.service)), fault: f });
      this.reply(inbound, { transactionId: req.transactionId, status: f.status, fault: f, responseSize: 0 });
      return;
    }

    t.database = decision.database;
    // Held until the routing (or the deadline's fault) right below: the two go out as one record.
    this.step(t, { kind: 'Request', at: hubInAt, request: requestFacts(req, decision.provider), issue: req.issue }, true);
    const remaining = req.deadlineAt - Date.now();
    if (remaining <= 0) {
      const f = fault(FaultTypes.ioError, `the deadline passed before the hub could route the request (queued ${hubInAt - req.requestInAt} ms)`, { timedOut: true });
      this.step(t, { kind: 'FinishAtHub', at: Date.now(), outcome: 'timedOut', fault: f });
      this.reply(inbound, { transactionId: req.transactionId, status: 504, fault: f, responseSize: 0 });
      return;
    }

    const serviceCode = req.service.split('/')[4];
    const providerRequest: ProviderRequest = {
      transactionId: req.transactionId,
      service: req.service,
      serviceCode,
      client: req.client,
      method: req.method,
      path: req.path,
      rawQuery: req.rawQuery,
      headers: req.headers,
      body: req.body,
      deadlineAt: req.deadlineAt,
      // A test client's X-Emulator-Fault, for the provider to act on (the header itself never travels).
      ...(req.inject ? { inject: req.inject } : {}),
    };
    this.started.set(req.transactionId, t);
    let answer: ProviderResponse;
    this.metrics.m.inFlight.inc();
    try {
      const call = this.providers.request<ProviderRequest, ProviderResponse>(
        Topics.providerRequests(decision.database as DatabaseName),
        PROVIDER_CALL_OPERATION,
        providerRequest,
        remaining,
        { correlationId: req.transactionId, key: req.transactionId },
      );
      this.step(t, { kind: 'Route', at: Date.now(), provider: decision.provider });
      answer = await call;
      this.metrics.m.inFlight.dec();
    } catch (e) {
      this.metrics.m.inFlight.dec();
      if (e instanceof RequestTimeoutError) this.metrics.m.timeouts.inc({ database: decision.database });
      const f =
        e instanceof RequestTimeoutError
          ? fault(FaultTypes.ioError, `Read timed out: ${decision.provider} did not answer within the ${req.deadlineAt - req.requestInAt} ms deadline`, { timedOut: true })
          : fault(FaultTypes.serverInternalError, `the hub could not route the request: ${(e as Error).message}`);
      this.step(t, { kind: 'FinishAtHub', at: Date.now(), outcome: e instanceof RequestTimeoutError ? 'timedOut' : 'failed', fault: f });
      this.reply(inbound, { transactionId: req.transactionId, status: f.status, fault: f, responseSize: 0 });
      // Keep the state a while: a late answer still gets recorded.
      setTimeout(() => this.started.delete(req.transactionId), 60_000).unref();
      return;
    }
    this.started.delete(req.transactionId);
    const responseSize = base64Size(answer.body);
    this.step(t, {
      kind: 'ProviderResponded',
      at: Date.now(),
      statusCode: answer.status,
      responseSize,
      providerInAt: answer.providerInAt,
      providerOutAt: answer.providerOutAt,
      fault: answer.fault,
    });
    if (answer.fault) {
      this.reply(inbound, { transactionId: req.transactionId, status: answer.fault.status, fault: answer.fault, responseSize: 0 });
      return;
    }
    this.reply(inbound, { transactionId: req.transactionId, status: answer.status, headers: answer.headers, body: answer.body, responseSize });
  }

  /** An answer after the deadline: recorded once, never delivered (the LGSP already has the timeout). */
  private onLateAnswer(transactionId: string, answer: ProviderResponse): void {
    const t = this.started.get(transactionId);
    if (t === undefined) return;
    const events = this.step(t, {
      kind: 'ProviderResponded',
      at: Date.now(),
      statusCode: answer?.status ?? 0,
      responseSize: base64Size(answer?.body),
      providerInAt: answer?.providerInAt ?? 0,
      providerOutAt: answer?.providerOutAt ?? 0,
      fault: answer?.fault,
    });
    if (events.some((e) => e.type === 'TransactionResponded' && e.late)) this.metrics.m.lateResponses.inc({ database: t.database });
  }
}
