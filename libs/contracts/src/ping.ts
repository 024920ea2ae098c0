/** The smoke exchange: an LGSP asks the hub to answer over Kafka. */
export const PING_OPERATION = 'platform.ping';

export interface PingRequest {
  fromInstance: string;
  sentAt: string;
}

export interface PingReply {
  hub: string;
  receivedAt: string;
}
