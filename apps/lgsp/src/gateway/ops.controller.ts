import { Controller, Get, GatewayTimeoutException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PING_OPERATION, PingReply, PingRequest } from '@ndxp/contracts';
import { AppConfig, RequestTimeoutError } from '@ndxp/platform';
import { HubClientService } from './hub-client.service';

@ApiTags('operations')
@Controller('ops')
export class OpsController {
  constructor(
    private readonly hub: HubClientService,
    private readonly config: AppConfig,
  ) {}

  @Get('smoke')
  @ApiOperation({ summary: 'Round trip LGSP → Kafka → NDXP → LGSP; proves the exchange path works' })
  async smoke(): Promise<{ lgsp: string; hub: string; roundTripMs: number }> {
    const started = process.hrtime.bigint();
    try {
      const reply = await this.hub.request<PingRequest, PingReply>(PING_OPERATION, { fromInstance: this.config.INSTANCE_ID, sentAt: new Date().toISOString() }, 10_000);
      const roundTripMs = Number(process.hrtime.bigint() - started) / 1e6;
      return { lgsp: this.config.INSTANCE_ID, hub: reply.hub, roundTripMs: Math.round(roundTripMs * 10) / 10 };
    } catch (e) {
      if (e instanceof RequestTimeoutError) throw new GatewayTimeoutException(`the NDXP hub did not answer within 10 s: is the ndxp app running? (${e.message})`);
      throw e;
    }
  }
}
