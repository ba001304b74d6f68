import { connect, type NatsConnection } from "@nats-io/transport-node";

/** A connection that keeps reconnecting for as long as the service runs: NATS outages are waited out. */
export function connectNats(url: string, name: string): Promise<NatsConnection> {
  return connect({ servers: url, name, maxReconnectAttempts: -1, reconnectTimeWait: 250, pingInterval: 10_000 });
}

export type { NatsConnection };
