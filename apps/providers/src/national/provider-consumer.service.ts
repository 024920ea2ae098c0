import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { METRICS_REGISTRY, providerMetrics } from '@ndxp/metrics';
import { Registry } from 'prom-client';
import {
  DatabaseName,
  Fault,
  fault,
  FaultTypes,
  HOT_TOPIC_PARTITIONS,
  PROVIDERS,
  ProviderInjection,
  ProviderRequest,
  readProviderInjection,
  ProviderResponse,
  SERVICES,
  SignatureCheck,
  signingKey,
  SigningKey,
  Topics,
} from '@ndxp/contracts';
import { InboundRequest, KafkaService, RequestConsumer, sendReply } from '@ndxp/platform';
import { FaultRules } from '../faults/fault-rules';
import { FaultBook } from '../faults/faults';
import { ProvidersConfig } from '../providers.config';
import { answerBatch, badRequest, ServiceAnswer } from './national-services';
import { NationalRepository } from './national.repository';

const isProviderRequest = (r: ProviderRequest): boolean =>
  typeof r.serviceCode === 'string' && typeof r.method === 'string' && typeof r.path === 'string' && typeof r.rawQuery === 'string' && !!r.headers && typeof r.headers === 'object';

export type ProviderRefusal = 'unsigned' | 'bad-signature';

/**
 * A national database takes requests from the hub only (PROVIDER_SIGNING_KEY): the hub checked the grant, anyone else
 * writing to its topic did not. What it does with a request the hub did not sign: refuse it unread, with the fault the
 * reference gives a missing or invalid signature, answered only on a hub reply topic (a forged reply topic must not
 * make the database write elsewhere; a hub with the wrong key hears at once instead of at its deadline).
 */
export function refuseUnsigned(signature: Exclude<SignatureCheck, 'valid'>, replyTo: string): { reason: ProviderRefusal; fault: Fault; answer: boolean } {
  const answer = replyTo.startsWith(Topics.hubReplies(''));
  if (signature === 'missing')
    return { reason: 'unsigned', answer, fault: fault(FaultTypes.missingSignature, 'the national database refused a request the hub did not sign (PROVIDER_SIGNING_KEY)') };
  return {
    reason: 'bad-signature',
    answer,
    fault: fault(FaultTypes.invalidSignature, 'the national database refused a request whose signature does not verify: the hub and the databases must share PROVIDER_SIGNING_KEY'),
  };
}

/** A service's answer as it travels back: JSON bytes in base64 and the headers that describe them. */
function encodeAnswer(a: ServiceAnswer, extraHeaders: Record<string, string> = {}): { status: number; headers: Record<string, string>; body: string } {
  const bytes = Buffer.from(JSON.stringify(a.body), 'utf8');
  return { status: a.status, headers: { 'content-type': 'application/json; charset=utf-8', ...a.headers, ...extraHeaders }, body: bytes.toString('base64') };
}

/** On an answer a fault rule injected: which rule (the gateway records it in the ledger as injected). */
const INJECTED_HEADER = 'x-emulator-injected';

/**
 * The fault aimed at this request, if any: a test client's X-Emulator-Fault (carried by the hub in `inject`), else
 * the first fault rule that hits it. The rule's answers say so in a header; the header's the gateway knows already.
 */
export function injectionFor(req: ProviderRequest, rules: FaultRules): { action: ProviderInjection; headers: Record<string, string> } | undefined {
  const fromHeader = readProviderInjection(req.inject);
  if (fromHeader) return { action: fromHeader, headers: {} };
  const hit = rules.decide(req);
  return hit && { action: hit.action, headers: { [INJECTED_HEADER]: `rule ${hit.rule.id}` } };
}

/**
 * One consumer per national database. A batch is answered with batched
 * queries; injected faults decide per request whether it is answered (maybe
 * late), fails, or is never answered at all.
 */
@Injectable()
export class ProviderConsumerService implements OnApplicationBootstrap {
  private readonly logger = new Logger(ProviderConsumerService.name);
  private readonly metrics: ReturnType<typeof providerMetrics>;
  /** Checks that requests come from the hub (PROVIDER_SIGNING_KEY). */
  private readonly hubKey: SigningKey;
  /** Refusals since the last warning: a flood must not flood the log too. */
  private refusedSinceWarning = { count: 0, warnedAt: 0 };

  constructor(
    private readonly kafka: KafkaService,
    private readonly repo: NationalRepository,
    private readonly faults: FaultBook,
    private readonly rules: FaultRules,
    @Inject(METRICS_REGISTRY) registry: Registry,
    config: ProvidersConfig,
  ) {
    this.hubKey = signingKey(config.PROVIDER_SIGNING_KEY);
    this.metrics = providerMetrics(registry, () => faults.active());
    for (const s of SERVICES)
      for (const result of ['ok', 'not_found', 'bad_request', 'fault', 'dropped']) this.metrics.queries.inc({ database: s.database, service: s.serviceCode, result }, 0);
    for (const database of Object.keys(PROVIDERS)) for (const reason of ['unsigned', 'bad-signature']) this.metrics.refused.inc({ database, reason }, 0);
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const database of Object.keys(PROVIDERS) as DatabaseName[]) {
      const consumer = new RequestConsumer(
        this.kafka.kafka,
        { topic: Topics.providerRequests(database), numPartitions: HOT_TOPIC_PARTITIONS },
        `providers-${database}`,
        (reqs) => this.onBatch(database, reqs),
        { verifyKey: this.hubKey },
      );
      await consumer.start();
      this.kafka.trackLag(`providers-${database}`, Topics.providerRequests(database));
      this.kafka.onShutdown(() => consumer.stop());
    }
    this.logger.log(
      `answering ${Object.keys(PROVIDERS)
        .map((d) => Topics.providerRequests(d))
        .join(', ')}`,
    );
  }

  private reply(inbound: InboundRequest, r: ProviderResponse, delayMs: number): void {
    const send = () => {
      r.providerOutAt = Date.now();
      sendReply(this.kafka.batching, inbound, r).catch((e) => this.logger.warn(`reply ${r.transactionId} lost: ${(e as Error).message}`));
    };
    if (delayMs > 0) setTimeout(send, delayMs);
    else send();
  }

  /** Counts a request the hub did not sign and answers it with the fault (on a hub reply topic only); only its transaction id is read, to address the answer. */
  private refuse(database: DatabaseName, msg: InboundRequest, r: ReturnType<typeof refuseUnsigned>, at: number): void {
    this.metrics.refused.inc({ database, reason: r.reason });
    const transactionId = typeof (msg.body as ProviderRequest | null)?.transactionId === 'string' ? (msg.body as ProviderRequest).transactionId : '';
    if (r.answer) this.reply(msg, { transactionId, status: r.fault.status, fault: r.fault, providerInAt: at, providerOutAt: 0 }, 0);
    this.refusedSinceWarning.count++;
    if (at - this.refusedSinceWarning.warnedAt < 10_000) return;
    this.logger.warn(
      `${database}: refused ${this.refusedSinceWarning.count} request(s) the hub did not sign since the last such warning (at most one each 10 s); ` +
        `the latest: ${r.reason}, reply topic ${JSON.stringify(msg.replyTo.slice(0, 120))}${r.answer ? '' : ' (not answered: no hub reply topic)'}`,
    );
    this.refusedSinceWarning = { count: 0, warnedAt: at };
  }

  async onBatch(database: DatabaseName, inbound: InboundRequest[]): Promise<void> {
    const providerInAt = Date.now();
    const toAnswer: Array<{ inbound: InboundRequest; req: ProviderRequest; delayMs: number; headers?: Record<string, string> }> = [];
    for (const msg of inbound) {
      if (msg.signature !== 'valid') {
        this.refuse(database, msg, refuseUnsigned(msg.signature ?? 'missing', msg.replyTo), providerInAt);
        continue;
      }
      const req = msg.body as ProviderRequest;
      if (!req || typeof req.transactionId !== 'string') continue; // nothing to answer to
      if (!isProviderRequest(req)) {
        const answer = badRequest('request', 'malformed provider request (serviceCode, method, path, rawQuery and headers are required)');
        this.reply(msg, { transactionId: req.transactionId, ...encodeAnswer(answer), providerInAt, providerOutAt: 0 }, 0);
        continue;
      }
      const decision = this.faults.decide(database, req.serviceCode);
      if (decision.kind === 'drop') {
        this.metrics.queries.inc({ database, service: req.serviceCode, result: 'dropped' });
        continue; // an injected timeout: never answered
      }
      if (decision.kind === 'error') {
        this.metrics.queries.inc({ database, service: req.serviceCode, result: 'fault' });
        const own: ServiceAnswer = { status: decision.status, body: { code: 'INTERNAL_ERROR', message: decision.message } };
        this.reply(msg, { transactionId: req.transactionId, ...encodeAnswer(own), providerInAt, providerOutAt: 0 }, decision.delayMs);
        continue;
      }
      if (decision.kind === 'fail') {
        this.metrics.queries.inc({ database, service: req.serviceCode, result: 'fault' });
        this.reply(msg, { transactionId: req.transactionId, status: decision.fault.status, fault: decision.fault, providerInAt, providerOutAt: 0 }, decision.delayMs);
        continue;
      }
      // After the database's own settings: a fault aimed at this request (X-Emulator-Fault, or a fault rule).
      const injected = injectionFor(req, this.rules);
      const delayMs = decision.delayMs + (injected?.action.latencyMs ?? 0);
      if (injected?.action.timeout) {
        this.metrics.queries.inc({ database, service: req.serviceCode, result: 'dropped' });
        continue;
      }
      if (injected?.action.status !== undefined) {
        const status = injected.action.status;
        this.metrics.queries.inc({ database, service: req.serviceCode, result: status >= 500 ? 'fault' : status >= 400 ? 'bad_request' : 'ok' });
        const own: ServiceAnswer = { status, body: { code: 'INJECTED', message: `the ${database} database answered ${status} as a fault injection asked` } };
        this.reply(msg, { transactionId: req.transactionId, ...encodeAnswer(own, injected.headers), providerInAt, providerOutAt: 0 }, delayMs);
        continue;
      }
      toAnswer.push({ inbound: msg, req, delayMs, headers: injected?.headers });
    }
    if (toAnswer.length === 0) return;
    const endTimer = this.metrics.duration.startTimer({ database });
    let answers;
    try {
      answers = await answerBatch(
        this.repo,
        database,
        toAnswer.map((a) => a.req),
      );
    } catch (e) {
      // The database itself failed: the service answers 500 to each request of the batch, as a web service would
      // (retrying the batch would answer late).
      this.logger.error(`the ${database} database failed a batch of ${toAnswer.length}: ${(e as Error).message}`);
      const failed: ServiceAnswer = { status: 500, body: { code: 'INTERNAL_ERROR', message: `the ${database} database failed: ${(e as Error).message}` } };
      answers = toAnswer.map(() => failed);
    }
    endTimer();
    toAnswer.forEach((a, i) => {
      const ans = answers[i];
      const result = ans.status >= 500 ? 'fault' : ans.status === 404 ? 'not_found' : ans.status >= 400 ? 'bad_request' : 'ok';
      this.metrics.queries.inc({ database, service: a.req.serviceCode, result });
      this.reply(a.inbound, { transactionId: a.req.transactionId, ...encodeAnswer(ans, a.headers), providerInAt, providerOutAt: 0 }, a.delayMs);
    });
  }
}
