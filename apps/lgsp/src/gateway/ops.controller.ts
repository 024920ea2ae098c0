import { Controller, Get, GatewayTimeoutException, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PING_OPERATION, PingReply, PingRequest } from '@ndxp/contracts';
import { AppConfig, RequestTimeoutError } from '@ndxp/platform';
import { GatewayService } from './gateway.service';
import { HubClientService } from './hub-client.service';

@ApiTags('operations')
@Controller('ops')
export class OpsController {
  constructor(
    private readonly hub: HubClientService,
    private readonly gateway: GatewayService,
    private readonly config: AppConfig,
  ) {}

  @Get('smoke')
  @ApiOperation({ summary: 'Round trip LGSP → Kafka → NDXP → LGSP; proves the exchange path works' })
  async smoke(): Promise<{ lgsp: string; hub: string; roundTripMs: number }> {
    // The hub verifies a ping as an exchange, with the key of the LGSP it names: this process's first.
    const [lgsp] = this.gateway.hosted();
    if (!lgsp) throw new ServiceUnavailableException('this gateway hosts no LGSP (LGSP_AGENCIES, LGSP_SHARD): there is none to sign the ping as');
    const started = process.hrtime.bigint();
    try {
      const ping: PingRequest = { fromInstance: this.config.INSTANCE_ID, lgsp, sentAt: new Date().toISOString() };
      const reply = await this.hub.request<PingRequest, PingReply>(PING_OPERATION, ping, 10_000, { lgsp });
      const roundTripMs = Number(process.hrtime.bigint() - started) / 1e6;
      return { lgsp: this.config.INSTANCE_ID, hub: reply.hub, roundTripMs: Math.round(roundTripMs * 10) / 10 };
    } catch (e) {
      if (e instanceof RequestTimeoutError) throw new GatewayTimeoutException(`the NDXP hub did not answer within 10 s: is the ndxp app running? (${e.message})`);
      throw e;
    }
  }
}
