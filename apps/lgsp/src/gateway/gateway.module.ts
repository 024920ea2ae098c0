import { Module } from '@nestjs/common';
import { GatewayController } from './gateway.controller';
import { GatewayService } from './gateway.service';
import { GatewayHttp } from './gateway-http';
import { HubClientService } from './hub-client.service';
import { OpsController } from './ops.controller';
import { AnswerRecorder } from '../record/answer-recorder.service';
import { JournalController } from '../journal/journal.controller';
import { JournalService } from '../journal/journal.service';

@Module({ providers: [HubClientService, GatewayService, GatewayHttp, AnswerRecorder, JournalService], controllers: [GatewayController, OpsController, JournalController] })
export class GatewayModule {}
