import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { freePort } from "../../scripts/infra/free-port.js";
import { startChild, type Child } from "./child-process.js";
import { waitFor } from "./wait.js";

/** A nats-server of one's own (JetStream, file store), which a test may kill and start again mid-stream. */
export interface NatsProcess {
  url: string;
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
  } catch {
    return false;
  }
}

export async function startNatsProcess(): Promise<NatsProcess> {
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), "fault-suite-nats-"));
  const url = `nats://127.0.0.1:${port}`;
  const launch = async (): Promise<Child> => {
    const child = startChild("nats-server", ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", storeDir]);
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
    url,
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
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}
