/** The smoke exchange: an LGSP asks the hub to answer over Kafka. */
export const PING_OPERATION = 'platform.ping';

export interface PingRequest {
  fromInstance: string;
  /** The LGSP whose key signs the ping (one the gateway hosts): the hub verifies it with that LGSP's key, as an exchange. */
  lgsp?: string;
  sentAt: string;
}

export interface PingReply {
  hub: string;
  receivedAt: string;
}
