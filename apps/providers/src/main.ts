import 'reflect-metadata';
import { bootstrapApp, loadAppConfigOrExit } from '@ndxp/platform';
import { ProvidersAppModule } from './app.module';
import { ProvidersConfig, providersDefaults } from './providers.config';

const config = loadAppConfigOrExit('providers', ProvidersConfig, process.env, providersDefaults);
void bootstrapApp('providers', 'NDXP emulator: national databases', ProvidersAppModule.register(config), config);
