import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { freePort } from "./free-port.js";

export interface RunningNats {
  url: string;
  origin: string;
  stop(): Promise<void>;
}

export class NatsUnavailableError extends Error {}

async function waitUntilUp(url: string, deadlineMs: number): Promise<void> {
  for (;;) {
    try {
      const nc = await connect({ servers: url, reconnect: false });
      await nc.close();
      return;
    } catch (err) {
      if (Date.now() > deadlineMs) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** NATS_URL when set; otherwise a JetStream-enabled nats-server from PATH, started on a free port. */
export async function ensureNats(): Promise<RunningNats> {
  const fromEnv = process.env.NATS_URL;
  if (fromEnv) return { url: fromEnv, origin: "NATS_URL", stop: async () => {} };

  if (spawnSync("nats-server", ["--version"]).error) {
    throw new NatsUnavailableError(
      "No NATS server: set NATS_URL to a JetStream-enabled server (e.g. nats://127.0.0.1:4222), or install the " +
        "nats-server binary on PATH (Debian/Ubuntu: apt-get install nats-server; macOS: brew install nats-server; " +
        "or download it from https://github.com/nats-io/nats-server/releases).",
    );
  }
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), "payment-platform-nats-"));
  const child = spawn("nats-server", ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", storeDir], { stdio: "ignore" });
  const url = `nats://127.0.0.1:${port}`;
  await waitUntilUp(url, Date.now() + 10_000);
  return {
    url,
    origin: `nats-server started on port ${port}`,
    stop: async () => {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}
