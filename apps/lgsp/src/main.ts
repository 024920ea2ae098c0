import 'reflect-metadata';
import { bootstrapApp, loadAppConfigOrExit } from '@ndxp/platform';
import { LgspAppModule } from './app.module';
import { serveUndecodableGatewayPaths } from './gateway/gateway-http';
import { LgspConfig, lgspDefaults } from './lgsp.config';

const config = loadAppConfigOrExit('lgsp', LgspConfig, process.env, lgspDefaults);
// The gateway reads request bodies itself: it needs the raw bytes (size limit, request hash, JSON errors as X-Road faults).
void bootstrapApp('lgsp', 'NDXP emulator: LGSP gateway', LgspAppModule.register(config), config, { bodyParser: false, beforeRoutes: serveUndecodableGatewayPaths });
