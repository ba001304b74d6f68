import { setTimeout as sleep } from "node:timers/promises";
import { connect, type ConnectionOptions, type NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "../log.js";

/** The NATS servers of a cluster and the user a service connects as (none on a server without authorization). */
export interface NatsEndpoint {
  servers: string[];
  user?: string;
  password?: string;
}

/** A comma-separated list of servers, e.g. NATS_URL="nats://n1:4222,nats://n2:4222". */
export function parseNatsServers(list: string): string[] {
  return list
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** NATS_URL (one server or a comma-separated list), NATS_USER and NATS_PASSWORD. */
export function natsEndpointFromEnv(fallbackUrl = "nats://127.0.0.1:4222"): NatsEndpoint {
  const user = process.env.NATS_USER || undefined;
  const password = process.env.NATS_PASSWORD || undefined;
  if (user && !password) throw new Error("environment variable NATS_PASSWORD is required with NATS_USER");
  return { servers: parseNatsServers(process.env.NATS_URL || fallbackUrl), user, password };
}

/** The environment that natsEndpointFromEnv reads back: how a service process is told where and who it is. */
export function natsEnv(endpoint: NatsEndpoint): Record<"NATS_URL" | "NATS_USER" | "NATS_PASSWORD", string> {
  return {
    NATS_URL: endpoint.servers.join(","),
    NATS_USER: endpoint.user ?? "",
    NATS_PASSWORD: endpoint.password ?? "",
  };
}

/**
 * Each user gets replies on an inbox prefix of its own: the server lets it subscribe to that one only, so that no
 * user can read another's replies (JetStream acks, API answers, pulled messages).
 */
export const inboxPrefixOf = (user: string) => `_INBOX_${user}`;

export function natsConnectOptions(endpoint: NatsEndpoint, name: string): ConnectionOptions {
  const { servers, user, password } = endpoint;
  return user ? { servers, name, user, pass: password, inboxPrefix: inboxPrefixOf(user) } : { servers, name };
}

/** A connection that keeps reconnecting for as long as the service runs: NATS outages are waited out. */
export function connectNats(endpoint: NatsEndpoint, name: string): Promise<NatsConnection> {
  return connect({
    ...natsConnectOptions(endpoint, name),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    pingInterval: 10_000,
  });
}

export interface NatsAttachment {
  /** Settles after the first try to connect and set up, whether it worked or not. */
  firstAttempt: Promise<void>;
  /** True while attached and connected to a server (false while reconnecting). */
  connected(): boolean;
  close(): Promise<void>;
}

/**
 * Connects and runs `setup` (streams, consumers, publishers) as soon as NATS answers, trying again every
 * `retryMs` until it works, so that a service starts and serves what does not need NATS during an outage.
 * Once connected, the connection itself rides out later outages.
 */
export function attachToNats(
  endpoint: NatsEndpoint,
  name: string,
  setup: (nc: NatsConnection) => Promise<{ stop(): Promise<void> }>,
  log: Logger,
  retryMs = 500,
): NatsAttachment {
  const closing = new AbortController();
  let connected = false;
  let firstAttemptDone: () => void = () => {};
  const firstAttempt = new Promise<void>((resolve) => (firstAttemptDone = resolve));
  const attached = (async () => {
    for (let attempt = 1; !closing.signal.aborted; attempt++) {
      let nc: NatsConnection | undefined;
      try {
        nc = await connectNats(endpoint, name);
        if (closing.signal.aborted) break;
        const running = await setup(nc);
        connected = true;
        void followStatus(nc, (up) => (connected = up));
        firstAttemptDone();
        return { nc, running };
      } catch (err) {
        if (attempt === 1 || attempt % 20 === 0)
          log.warn("NATS is not available; retrying in the background", {
            servers: endpoint.servers,
            user: endpoint.user,
            attempt,
            error: String(err),
          });
        firstAttemptDone();
      }
      await nc?.close().catch(() => {});
      await sleep(retryMs, undefined, { signal: closing.signal }).catch(() => {});
    }
    firstAttemptDone();
    return undefined;
  })();
  return {
    firstAttempt,
    connected: () => connected,
    close: async () => {
      closing.abort();
      const done = await attached;
      await done?.running.stop();
      await done?.nc.close();
    },
  };
}

/** Tells `set` whether the connection is up, as it drops and reconnects, until it is closed. */
async function followStatus(nc: NatsConnection, set: (up: boolean) => void): Promise<void> {
  for await (const status of nc.status()) {
    if (status.type === "disconnect") set(false);
    if (status.type === "reconnect") set(true);
    if (status.type === "close") break;
  }
  set(false);
}

export type { NatsConnection };
