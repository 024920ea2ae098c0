import { DynamicModule, INestApplication, Logger, LogLevel, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppConfig } from '../config/app-config';
import { developmentWarning, publicSecretsIn } from '../config/secrets';
import { ApiErrorFilter, validationExceptionFactory } from '../http/http-errors';
import { JsonInputPipe } from '../http/json-input';
import type { TlsOptions } from 'tls';
import { applyHttpLimits, httpLimitsOf } from './http-limits';
import { acceptTls } from './tls-listener';
import { profileOnSignal } from './cpu-profiler';
import { asyncApiDocument } from '@ndxp/contracts';

/** Where every app serves the AsyncAPI 3.0 document of the Kafka topics. */
export const ASYNCAPI_PATH = '/docs/asyncapi.json';

const LEVELS: LogLevel[] = ['error', 'warn', 'log', 'debug', 'verbose'];

/**
 * Starts an app: validation, OpenAPI docs at /docs (the Kafka topics' AsyncAPI document at /docs/asyncapi.json), graceful shutdown on
 * SIGINT/SIGTERM (consumers leave their groups, producers flush), the HTTP
 * server's timeouts and head limit (http-limits).
 */
export async function bootstrapApp(
  name: string,
  title: string,
  module: DynamicModule,
  config: AppConfig,
  options: {
    bodyParser?: boolean;
    beforeRoutes?: (app: INestApplication) => void;
    /** HTTPS too, on the same port (acceptTls): plain HTTP keeps working; a TLS client's certificate is on req.socket. */
    tls?: TlsOptions;
  } = {},
): Promise<void> {
  const logger = new Logger(name);
  const logLevels = LEVELS.slice(0, LEVELS.indexOf(config.LOG_LEVEL as LogLevel) + 1);
  try {
    const app = await NestFactory.create(module, { logger: logLevels, abortOnError: false, bodyParser: options.bodyParser ?? true });
    // Bounds on what one client can hold open or send (HTTP_* settings): before the server accepts a connection.
    const limits = httpLimitsOf(config);
    applyHttpLimits(app.getHttpServer(), limits);
    if (options.tls) acceptTls(app.getHttpServer(), options.tls, limits.headersTimeout);
    options.beforeRoutes?.(app);
    // NUL characters and deep nesting first: they are a 400 naming the field, never a 500 from the database or the stack.
    app.useGlobalPipes(new JsonInputPipe(), new ValidationPipe({ whitelist: true, transform: true, exceptionFactory: validationExceptionFactory }));
    app.useGlobalFilters(new ApiErrorFilter());
    // Only in development mode: elsewhere loadAppConfigOrExit has refused public defaults.
    const warning = developmentWarning(publicSecretsIn(config as unknown as Record<string, unknown>));
    if (warning) logger.warn(warning);
    // The stop signals only: Nest's default list includes SIGUSR2, which profileOnSignal uses.
    app.enableShutdownHooks(['SIGTERM', 'SIGINT', 'SIGHUP']);
    profileOnSignal();
    // The Kafka topics' contract (libs/contracts/src/asyncapi.ts): the same document from every app, before Swagger's own /docs routes.
    const asyncApi = JSON.stringify(asyncApiDocument());
    app.getHttpAdapter().get(ASYNCAPI_PATH, (_req: unknown, res: { setHeader(n: string, v: string): void; end(b: string): void }) => {
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.end(asyncApi);
    });
    const doc = SwaggerModule.createDocument(app, new DocumentBuilder().setTitle(title).setVersion('0.1.0').build());
    SwaggerModule.setup('docs', app, doc, { jsonDocumentUrl: 'docs/openapi.json' });
    await app.listen(config.PORT, config.HOST);
    const andTls = options.tls ? ', and https:// on the same port' : '';
    logger.log(`${title} listening on http://${config.HOST}:${config.PORT}${andTls} (health: /health, metrics: /metrics, docs: /docs, Kafka topics: ${ASYNCAPI_PATH})`);
  } catch (e) {
    logger.error(`failed to start: ${(e as Error).message}`);
    process.exit(1);
  }
}
