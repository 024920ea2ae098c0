import { Module } from '@nestjs/common';
import { HubClientService } from './hub-client.service';
import { OpsController } from './ops.controller';

@Module({ providers: [HubClientService], controllers: [OpsController] })
export class GatewayModule {}
