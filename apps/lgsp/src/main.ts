import 'reflect-metadata';
import { AppConfig, bootstrapApp, loadAppConfigOrExit } from '@ndxp/platform';
import { LgspAppModule } from './app.module';

const config = loadAppConfigOrExit('lgsp', AppConfig);
void bootstrapApp('lgsp', 'NDXP emulator: LGSP gateway', LgspAppModule.register(config), config);
