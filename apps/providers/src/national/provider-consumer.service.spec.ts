import { Registry } from 'prom-client';
import { FaultTypes, MIN_SIGNING_KEY_LENGTH, ProviderRequest, ProviderResponse, Topics } from '@ndxp/contracts';
import { InboundRequest, KafkaService } from '@ndxp/platform';
import { FaultRules, parseFaultRule } from '../faults/fault-rules';
import { FaultBook } from '../faults/faults';
import { ProvidersConfig } from '../providers.config';
import { NationalRepository } from './national.repository';
import { ProviderConsumerService, refuseUnsigned } from './provider-consumer.service';

const HUB_REPLIES = Topics.hubReplies('ndxp-1');

function request(transactionId: string, signature: InboundRequest['signature'], replyTo = HUB_REPLIES, extra: Partial<ProviderRequest> = {}): InboundRequest {
  const body: ProviderRequest = {
    transactionId,
    service: 'VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup',
    serviceCode: 'citizen-lookup',
    client: 'VN/GOV/000.00.00.H26/MOTCUA',
    method: 'GET',
    path: '/001200000001',
    rawQuery: '',
    headers: {},
    deadlineAt: Date.now() + 5000,
    ...extra,
  };
  return { correlationId: transactionId, replyTo, operation: 'provider.call', deadline: Date.now() + 5000, body, signature };
}

function consumer(rules = new FaultRules()) {
  const sent: Array<{ topic: string; body: ProviderResponse }> = [];
  const kafka = { batching: { send: (topic: string, m: { value: string }) => (sent.push({ topic, body: JSON.parse(m.value) as ProviderResponse }), Promise.resolve()) } };
  const registry = new Registry();
  const config = Object.assign(new ProvidersConfig(), { PROVIDER_SIGNING_KEY: 'p'.repeat(MIN_SIGNING_KEY_LENGTH) });
  const service = new ProviderConsumerService(kafka as unknown as KafkaService, {} as NationalRepository, new FaultBook(), rules, registry, config);
  const refused = async () => (await registry.getSingleMetricAsString('providers_refused_requests_total')).split('\n').filter((l) => /} [1-9]/.test(l));
  return { service, sent, refused };
}

describe('a national database takes requests from the hub only', () => {
  it('given a batch with an unsigned, a forged and a signed request, when answered, then the two are refused with the fault and the signed one is answered', async () => {
    const { service, sent, refused } = consumer();
    await service.onBatch('population', [request('t-unsigned', 'missing'), request('t-forged', 'invalid'), request('t-signed', 'valid')]);

    const byId = Object.fromEntries(sent.map((s) => [s.body.transactionId, s]));
    expect(byId['t-unsigned'].body).toMatchObject({ status: 500, fault: { type: FaultTypes.missingSignature } });
    expect(byId['t-forged'].body).toMatchObject({ status: 500, fault: { type: FaultTypes.invalidSignature } });
    expect(byId['t-signed'].body.fault).toBeUndefined();
    // It reached the database: the repository of this test has no tables, so the service answers its own 500, not a fault.
    expect(JSON.parse(Buffer.from(byId['t-signed'].body.body!, 'base64').toString())).toMatchObject({ code: 'INTERNAL_ERROR' });
    expect(sent.every((s) => s.topic === HUB_REPLIES)).toBe(true);
    expect(await refused()).toEqual([
      'providers_refused_requests_total{database="population",reason="unsigned"} 1',
      'providers_refused_requests_total{database="population",reason="bad-signature"} 1',
    ]);
  });

  it('given an unsigned request whose reply topic is not a hub reply topic, when refused, then nothing is written anywhere, and it is still counted', async () => {
    const { service, sent, refused } = consumer();
    await service.onBatch('population', [request('t-1', 'missing', Topics.registryEvents), request('t-2', 'invalid', Topics.transactions)]);
    expect(sent).toEqual([]);
    expect(await refused()).toHaveLength(2);
  });

  it('given junk for a body, when unsigned, then it is refused without a throw', async () => {
    const { service, sent } = consumer();
    const junk: InboundRequest = { correlationId: 'c', replyTo: HUB_REPLIES, operation: 'x', deadline: 0, body: 42, signature: 'missing' };
    await expect(service.onBatch('population', [junk, { ...junk, body: undefined }])).resolves.toBeUndefined();
    expect(sent.map((s) => s.body)).toMatchObject([
      { transactionId: '', fault: { type: FaultTypes.missingSignature } },
      { transactionId: '', fault: { type: FaultTypes.missingSignature } },
    ]);
  });

  it('refuseUnsigned names the key in its message and answers only hub reply topics', () => {
    expect(refuseUnsigned('invalid', HUB_REPLIES)).toMatchObject({ reason: 'bad-signature', answer: true });
    expect(refuseUnsigned('missing', 'ndxp.lgsp.replies.lgsp-1')).toMatchObject({ reason: 'unsigned', answer: false });
    expect(refuseUnsigned('invalid', HUB_REPLIES).fault.message).toMatch(/PROVIDER_SIGNING_KEY/);
  });
});

describe('faults aimed at requests, at a national database', () => {
  const answerOf = (r: ProviderResponse) => ({ status: r.status, code: JSON.parse(Buffer.from(r.body!, 'base64').toString()).code, by: r.headers?.['x-emulator-injected'] });

  it('given an injection from X-Emulator-Fault, when answered, then its status as the database’s own answer, a timeout never, latency late', async () => {
    const { service, sent } = consumer();
    const batch = [
      request('t-503', 'valid', HUB_REPLIES, { inject: { status: 503 } }),
      request('t-timeout', 'valid', HUB_REPLIES, { inject: { timeout: true } }),
      request('t-late', 'valid', HUB_REPLIES, { inject: { latencyMs: 60, status: 404 } }),
      request('t-junk', 'valid', HUB_REPLIES, { inject: { status: 'x' } as never }),
    ];
    await service.onBatch('population', batch);
    const byId = () => Object.fromEntries(sent.map((s) => [s.body.transactionId, answerOf(s.body)]));
    expect(byId()).toEqual({ 't-503': { status: 503, code: 'INJECTED', by: undefined }, 't-junk': { status: 500, code: 'INTERNAL_ERROR', by: undefined } });
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(byId()['t-late']).toEqual({ status: 404, code: 'INJECTED', by: undefined });
    expect(byId()['t-timeout']).toBeUndefined();
  });

  it('given a rule with count=1, when two matching requests come, then the first gets the rule’s answer, saying which rule, the second the database’s', async () => {
    const rules = new FaultRules(Date.now, Math.random, () => 'r1');
    const parsed = parseFaultRule({ match: { service: 'citizen-lookup' }, action: 'status=429', count: 1 });
    if (parsed.ok) rules.add(parsed.spec);
    const { service, sent } = consumer(rules);
    await service.onBatch('population', [request('t-1', 'valid'), request('t-2', 'valid')]);
    expect(sent.map((s) => [s.body.transactionId, answerOf(s.body)])).toEqual([
      ['t-1', { status: 429, code: 'INJECTED', by: 'rule r1' }],
      ['t-2', { status: 500, code: 'INTERNAL_ERROR', by: undefined }],
    ]);
  });

  it('given an X-Emulator-Fault and a rule, when both would hit, then the header’s wins and the rule keeps its count', async () => {
    const rules = new FaultRules(Date.now, Math.random, () => 'r1');
    const parsed = parseFaultRule({ action: { status: 429 }, count: 1 });
    if (parsed.ok) rules.add(parsed.spec);
    const { service, sent } = consumer(rules);
    await service.onBatch('population', [request('t-1', 'valid', HUB_REPLIES, { inject: { status: 503 } })]);
    expect(answerOf(sent[0].body)).toEqual({ status: 503, code: 'INJECTED', by: undefined });
    expect(rules.list()[0]).toMatchObject({ hits: 0, remaining: 1 });
  });
});
