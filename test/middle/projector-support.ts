import { Global, INestApplication, Module, ValidationPipe } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Kafka, logLevel, Producer } from 'kafkajs';
import { emptyRegistryView, Topics, TransactionEvent } from '@ndxp/contracts';
import { dropDatabase, InfraHandle, startInfra } from '@ndxp/infra';
import { AdminGuard, AppConfig, loadConfig, PlatformModule, RegistryViewService } from '@ndxp/platform';
import { LedgerModule } from '../../apps/ndxp/src/ledger/ledger.module';
import { NDXP_MIGRATIONS } from '../../apps/ndxp/src/migrations';
import { NdxpMetricsService } from '../../apps/ndxp/src/observability/ndxp-metrics.service';
import { isolatedEnv } from '../support/env';
import { middleSettings } from './support';

/** What NdxpMetricsService needs of the registry: an empty view that is ready at once. */
const registryViewStub = { state: emptyRegistryView(), ready: Promise.resolve() };

/** What the ledger module needs beside the platform, for a projector tested alone: no registry, no hub. */
@Global()
@Module({
  providers: [AdminGuard, NdxpMetricsService, { provide: RegistryViewService, useValue: registryViewStub }],
  exports: [AdminGuard, NdxpMetricsService, RegistryViewService],
})
export class ProjectorDependencies {}

export const PROJECTOR_ADMIN_TOKEN = 'middle-tier-admin-token';

/** The projector alone against its own broker and throwaway database, and a producer to feed it. */
export interface ProjectorStack {
  infra: InfraHandle;
  app: INestApplication;
  /** The app's URL, for the ledger's HTTP API. */
  base: string;
  producer: Producer;
  /** Writes transaction events to the topic, keyed by transaction as the platform writes them. */
  produce(events: TransactionEvent[]): Promise<void>;
  stop(): Promise<void>;
}

export async function startProjectorStack(name: string, instance: string, log: (line: string) => void = () => undefined): Promise<ProjectorStack> {
  const infra = await startInfra({ env: await isolatedEnv(name), log, skipKafka: false });
  const config = loadConfig('ndxp', AppConfig, middleSettings(infra, instance, PROJECTOR_ADMIN_TOKEN));
  const moduleRef = await Test.createTestingModule({
    imports: [PlatformModule.forApp({ app: 'ndxp', config, schema: 'ndxp', migrations: NDXP_MIGRATIONS }), ProjectorDependencies, LedgerModule],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error', 'warn'] });
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, transform: true }));
  await app.listen(0, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const producer = new Kafka({ clientId: `${name}-test`, brokers: infra.kafkaBrokers.split(','), logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  return {
    infra,
    app,
    base,
    producer,
    produce: async (events) => {
      await producer.send({ topic: Topics.transactions, messages: events.map((e) => ({ key: e.transactionId, value: JSON.stringify(e) })) });
    },
    stop: async () => {
      await producer.disconnect().catch(() => undefined);
      await app.close();
      await infra.stop();
      await dropDatabase(infra.databaseUrl);
    },
  };
}
