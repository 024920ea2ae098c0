import 'reflect-metadata';
import { bootstrapApp, loadAppConfigOrExit } from '@ndxp/platform';
import { NdxpAppModule } from './app.module';
import { NdxpConfig, ndxpDefaults } from './ndxp.config';

const config = loadAppConfigOrExit('ndxp', NdxpConfig, process.env, ndxpDefaults);
void bootstrapApp('ndxp', 'NDXP emulator: national hub', NdxpAppModule.register(config), config);
