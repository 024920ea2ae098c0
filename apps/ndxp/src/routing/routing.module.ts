import { Module } from '@nestjs/common';
import { HubResponderService } from './hub-responder.service';

@Module({ providers: [HubResponderService] })
export class RoutingModule {}
