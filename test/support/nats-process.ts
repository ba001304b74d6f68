import { AuthorizationError, connect } from "@nats-io/transport-node";
import { freePort } from "../../scripts/infra/free-port.js";
import { ANY_STREAMS, type NatsUser } from "../../scripts/infra/nats-auth.js";
import { natsServerFiles } from "../../scripts/infra/nats.js";
import type { NatsEndpoint } from "../../services/lib/events/nats.js";
import { startChild, type Child } from "./child-process.js";
import { waitFor } from "./wait.js";

/** A nats-server of one's own (JetStream, file store, a user per service), which a test may kill and start again mid-stream. */
export interface NatsProcess {
  endpoint(user: NatsUser): NatsEndpoint;
  /**
   * Kills the server with `signal`, runs `whileDown` if given, then starts the server again on the same port and
   * store directory (also when `whileDown` fails).
   */
  restart(signal: NodeJS.Signals, whileDown?: () => Promise<void>): Promise<void>;
  /** Stops it and deletes its store. */
  stop(): Promise<void>;
}

async function accepts(url: string): Promise<boolean> {
  try {
    await (await connect({ servers: url, reconnect: false })).close();
    return true;
  } catch (err) {
    return err instanceof AuthorizationError;
  }
}

export async function startNatsProcess(): Promise<NatsProcess> {
  const port = await freePort();
  const files = natsServerFiles(port, ANY_STREAMS);
  const url = `nats://127.0.0.1:${port}`;
  const launch = async (): Promise<Child> => {
    const child = startChild("nats-server", files.args);
    await waitFor(
      async () => {
        if (child.exit) throw new Error(`nats-server exited (${JSON.stringify(child.exit)}): ${child.output()}`);
        return accepts(url);
      },
      (up) => up,
      10_000,
      `nats-server on port ${port} to accept connections`,
    );
    return child;
  };
  let server = await launch();
  return {
    endpoint: files.endpoint,
    restart: async (signal, whileDown) => {
      await server.stop(signal);
      try {
        await whileDown?.();
      } finally {
        server = await launch();
      }
    },
    stop: async () => {
      await server.stop("SIGTERM");
      files.remove();
    },
  };
}
