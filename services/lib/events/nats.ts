import { setTimeout as sleep } from "node:timers/promises";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "../log.js";

/** A connection that keeps reconnecting for as long as the service runs: NATS outages are waited out. */
export function connectNats(url: string, name: string): Promise<NatsConnection> {
  return connect({ servers: url, name, maxReconnectAttempts: -1, reconnectTimeWait: 250, pingInterval: 10_000 });
}

export interface NatsAttachment {
  /** Settles after the first try to connect and set up, whether it worked or not. */
  firstAttempt: Promise<void>;
  close(): Promise<void>;
}

/**
 * Connects and runs `setup` (streams, consumers, publishers) as soon as NATS answers, trying again every
 * `retryMs` until it works, so that a service starts and serves what does not need NATS during an outage.
 * Once connected, the connection itself rides out later outages.
 */
export function attachToNats(
  url: string,
  name: string,
  setup: (nc: NatsConnection) => Promise<{ stop(): Promise<void> }>,
  log: Logger,
  retryMs = 500,
): NatsAttachment {
  const closing = new AbortController();
  let firstAttemptDone: () => void = () => {};
  const firstAttempt = new Promise<void>((resolve) => (firstAttemptDone = resolve));
  const attached = (async () => {
    for (let attempt = 1; !closing.signal.aborted; attempt++) {
      let nc: NatsConnection | undefined;
      try {
        nc = await connectNats(url, name);
        if (closing.signal.aborted) break;
        const running = await setup(nc);
        firstAttemptDone();
        return { nc, running };
      } catch (err) {
        if (attempt === 1 || attempt % 20 === 0) log.warn("NATS is not available; retrying in the background", { url, attempt, error: String(err) });
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
    close: async () => {
      closing.abort();
      const done = await attached;
      await done?.running.stop();
      await done?.nc.close();
    },
  };
}

export type { NatsConnection };
