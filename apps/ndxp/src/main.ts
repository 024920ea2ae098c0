import 'reflect-metadata';
import { AppConfig, bootstrapApp, loadAppConfigOrExit } from '@ndxp/platform';
import { NdxpAppModule } from './app.module';

const config = loadAppConfigOrExit('ndxp', AppConfig);
void bootstrapApp('ndxp', 'NDXP emulator: national hub', NdxpAppModule.register(config), config);
