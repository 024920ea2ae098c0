import 'reflect-metadata';
import { AppConfig, bootstrapApp, loadAppConfigOrExit } from '@ndxp/platform';
import { RegistryAppModule } from './app.module';

const config = loadAppConfigOrExit('registry', AppConfig);
void bootstrapApp('registry', 'NDXP emulator: registry', RegistryAppModule.register(config), config);
