import 'reflect-metadata';
import { bootstrapApp, loadAppConfigOrExit } from '@ndxp/platform';
import { RegistryAppModule } from './app.module';
import { RegistryConfig, registryDefaults } from './registry.config';

const config = loadAppConfigOrExit('registry', RegistryConfig, process.env, registryDefaults);
void bootstrapApp('registry', 'NDXP emulator: registry', RegistryAppModule.register(config), config);
