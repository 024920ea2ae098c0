import { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'fs';
import { request as httpsRequest } from 'https';
import { tmpdir } from 'os';
import { join } from 'path';
import { Consumer, Kafka, logLevel, Producer } from 'kafkajs';
import { ExchangeRequest, RegistryEvent, SERVICES, serviceKeyOf, TransactionEvent } from '@ndxp/contracts';
import { dropDatabase, InfraHandle, startInfra } from '@ndxp/infra';
import { createLocalCa, initTlsDir, issueClientCert, Issued, tlsFiles } from '@ndxp/infra/tls';
import { BatchingProducer, KafkaRequester, loadConfig, RequestConsumer } from '@ndxp/platform';
import { LgspConfig, lgspDefaults } from '../../apps/lgsp/src/lgsp.config';
import { isolatedEnv } from '../support/env';
import { createGatewayTopics, gatewaySeed, jsonAnswer, middleSettings, publishSeed, startFakeHub, startGatewayAlone, until, waitForHub, watchTransactions } from './support';

// The middle tier, mutual TLS: the LGSP gateway alone with LGSP_TLS_CERT/KEY/CA (HTTPS beside HTTP on one
// port), against one real broker and a throwaway database. The test plays the registry (client
// certificates registered by fingerprint) and the NDXP hub (answers 200). A failure here is the gateway's.

const INSTANCE_ID = 'lgsp-middle-tls-1';
const LGSP = '000.00.00.H26';
const CLIENT = `VN/GOV/${LGSP}/MOTCUA`;
const OTHER = `VN/GOV/${LGSP}/HOTICH`;
const API_KEY = 'middle-tier-tls-api-key-0123456789';
const SERVICE = SERVICES.find((s) => s.database === 'population')!;
const SERVICE_KEY = serviceKeyOf(SERVICE);

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: { type?: string; message?: string; citizen?: string };
}

describe('middle tier: the lgsp gateway with mutual TLS', () => {
  let infra: InfraHandle | undefined;
  let app: INestApplication | undefined;
  let producer: Producer | undefined;
  let batching: BatchingProducer;
  let hub: RequestConsumer | undefined;
  let pinger: KafkaRequester | undefined;
  let watcher: Consumer | undefined;
  let config: LgspConfig;
  let port: number;
  let dir: string;
  let ca: Issued;
  let client: Issued;
  let other: Issued;
  let foreign: Issued;
  const hubReceived: ExchangeRequest[] = [];
  const events: TransactionEvent[] = [];

  /** A call over HTTPS to the citizen-lookup service, with the client certificate `cert` (or none). */
  const https = (cert: Issued | undefined, headers: Record<string, string> = {}) =>
    new Promise<Answer>((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port,
          path: `/r1/${SERVICE_KEY}?id=001200000001`,
          ca: ca.certPem,
          agent: false,
          ...(cert ? { cert: cert.certPem, key: cert.keyPem } : {}),
          headers: { 'X-Road-Client': CLIENT, ...headers },
        },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text) }));
        },
      );
      req.on('error', reject);
      req.end();
    });
  const plain = (headers: Record<string, string>) => fetch(`http://127.0.0.1:${port}/r1/${SERVICE_KEY}?id=001200000001`, { headers: { 'X-Road-Client': CLIENT, ...headers } });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ndxp-middle-tls-'));
    ca = (await initTlsDir(dir)).ca;
    client = await issueClientCert(ca, CLIENT);
    other = await issueClientCert(ca, OTHER);
    foreign = await issueClientCert(await createLocalCa(), CLIENT); // signed by a CA the gateway does not trust

    const seed: RegistryEvent[] = [
      ...gatewaySeed(LGSP, CLIENT, API_KEY, SERVICE),
      { type: 'SubsystemRegistered', subsystem: OTHER, agency: LGSP, name: 'civil status', role: 'client' },
      { type: 'CertificateRegistered', client: CLIENT, fingerprint: client.fingerprint, subject: `CN=${CLIENT}`, notAfter: '2099-01-01T00:00:00.000Z' },
      { type: 'CertificateRegistered', client: OTHER, fingerprint: other.fingerprint, subject: `CN=${OTHER}`, notAfter: '2099-01-01T00:00:00.000Z' },
      // Registered, but its CA is not the gateway's: the CA check must refuse it.
      { type: 'CertificateRegistered', client: CLIENT, fingerprint: foreign.fingerprint, subject: `CN=${CLIENT}`, notAfter: '2099-01-01T00:00:00.000Z' },
    ];

    const env = await isolatedEnv('middle-gateway-tls');
    infra = await startInfra({ env, log: () => undefined, skipKafka: false });
    const kafka = new Kafka({ clientId: 'middle-gateway-tls-test', brokers: infra.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
    await createGatewayTopics(kafka, INSTANCE_ID, 'middle-tls-pinger');
    producer = kafka.producer();
    await producer.connect();
    batching = new BatchingProducer(producer);
    await publishSeed(producer, seed);
    watcher = await watchTransactions(kafka, 'middle-gateway-tls', events);

    hub = await startFakeHub(kafka, batching, 'middle-gateway-tls-hub', hubReceived, (req) => jsonAnswer(req, { citizen: '001200000001' }));
    pinger = await waitForHub(kafka, batching, 'middle-tls-pinger', 'middle-gateway-tls-pinger');

    const files = tlsFiles(dir);
    config = loadConfig('lgsp', LgspConfig, {
      ...lgspDefaults,
      ...middleSettings(infra, INSTANCE_ID),
      LGSP_AGENCIES: LGSP,
      LGSP_TLS_CERT: files.serverCert,
      LGSP_TLS_KEY: files.serverKey,
      LGSP_TLS_CA: files.caCert,
    });
    app = await startGatewayAlone(config, true); // HTTPS beside HTTP on the one port, from the LGSP_TLS_ files
    port = Number(new URL(await app.getUrl()).port);
  });

  afterAll(async () => {
    await app?.close();
    await pinger?.stop().catch(() => undefined);
    await hub?.stop().catch(() => undefined);
    await watcher?.disconnect().catch(() => undefined);
    await batching?.flush().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
    await infra?.stop();
    if (infra) await dropDatabase(infra.databaseUrl);
    rmSync(dir, { recursive: true, force: true });
  });

  const sslFault = (r: Answer, message: RegExp) => {
    expect(r.status).toBe(500);
    expect(r.headers['x-road-error']).toBe('Server.ClientProxy.SslAuthenticationFailed');
    expect(r.body).toMatchObject({ type: 'Server.ClientProxy.SslAuthenticationFailed', message: expect.stringMatching(message) });
  };

  it('given a client certificate of the CA registered for the X-Road-Client, when it calls over HTTPS without X-API-Key, then forwarded and answered 200', async () => {
    const r = await https(client);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ citizen: '001200000001' });
    expect(r.headers['x-road-client']).toBe(CLIENT);
    const id = r.headers['x-road-transaction-id'] as string;
    expect(hubReceived.find((q) => q.transactionId === id)).toMatchObject({ client: CLIENT, service: SERVICE_KEY, lgsp: LGSP });
    const answered = await until('TransactionAnswered', () => events.find((e) => e.transactionId === id && e.type === 'TransactionAnswered'));
    expect(answered).toMatchObject({ statusCode: 200, client: CLIENT });
  });

  it("given another subsystem's registered certificate, when it calls as MOTCUA, then Server.ClientProxy.SslAuthenticationFailed, never forwarded", async () => {
    const before = hubReceived.length;
    const r = await https(other, { 'X-API-Key': API_KEY }); // a certificate sent decides, even beside a valid key
    sslFault(r, new RegExp(`^Client \\(SUBSYSTEM:${CLIENT}\\) TLS certificate does not match any IS certificates$`));
    expect(hubReceived.length).toBe(before);
  });

  it('given a registered certificate that the CA did not sign, when it calls, then Server.ClientProxy.SslAuthenticationFailed', async () => {
    sslFault(await https(foreign), /TLS certificate is not signed by this LGSP's certificate authority/);
  });

  it('given LGSP_TLS_REQUIRE_CERT unset, when a client calls over plain HTTP or over HTTPS without a certificate with its X-API-Key, then it is still served', async () => {
    expect((await plain({ 'X-API-Key': API_KEY })).status).toBe(200);
    expect((await https(undefined, { 'X-API-Key': API_KEY })).status).toBe(200);
  });

  it('given LGSP_TLS_REQUIRE_CERT=true, when a client calls without a certificate (HTTP or HTTPS), then SslAuthenticationFailed as X-Road words it; with one, 200', async () => {
    // The gateway reads the setting per request: flipped here rather than starting a second gateway.
    config.LGSP_TLS_REQUIRE_CERT = true;
    try {
      const message = new RegExp(`^Client \\(SUBSYSTEM:${CLIENT}\\) specifies HTTPS but did not supply TLS certificate$`);
      const overHttp = await plain({ 'X-API-Key': API_KEY });
      sslFault(
        { status: overHttp.status, headers: { 'x-road-error': overHttp.headers.get('x-road-error') ?? undefined }, body: (await overHttp.json()) as Answer['body'] },
        message,
      );
      sslFault(await https(undefined, { 'X-API-Key': API_KEY }), message);
      expect((await https(client)).status).toBe(200);
    } finally {
      config.LGSP_TLS_REQUIRE_CERT = false;
    }
  });
});
