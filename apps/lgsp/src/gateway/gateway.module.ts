import { Module } from '@nestjs/common';
import { GatewayController } from './gateway.controller';
import { GatewayService } from './gateway.service';
import { HubClientService } from './hub-client.service';
import { OpsController } from './ops.controller';

@Module({ providers: [HubClientService, GatewayService], controllers: [GatewayController, OpsController] })
export class GatewayModule {}
