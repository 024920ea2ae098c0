import 'reflect-metadata';
import { bootstrapApp, ConfigError, loadAppConfigOrExit } from '@ndxp/platform';
import { LgspAppModule } from './app.module';
import { serveGatewayPaths } from './gateway/gateway-http';
import { lgspTlsOptions } from './gateway/tls-auth';
import { LgspConfig, lgspDefaultsFor } from './lgsp.config';

const config = loadAppConfigOrExit('lgsp', LgspConfig, process.env, lgspDefaultsFor(process.env));

function tlsOrExit(): ReturnType<typeof lgspTlsOptions> {
  try {
    return lgspTlsOptions(config);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`${e.message}\n`);
    process.exit(78); // EX_CONFIG, as loadAppConfigOrExit
  }
}

// The gateway reads request bodies itself: it needs the raw bytes (size limit, request hash, JSON errors as X-Road faults).
// With the LGSP_TLS_ files it takes HTTPS on the same port too, and a client's certificate authenticates it.
void bootstrapApp('lgsp', 'NDXP emulator: LGSP gateway', LgspAppModule.register(config), config, {
  bodyParser: false,
  beforeRoutes: serveGatewayPaths,
  tls: tlsOrExit(),
});
