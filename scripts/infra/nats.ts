import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuthorizationError, connect } from "@nats-io/transport-node";
import { parseNatsServers, type NatsEndpoint } from "../../services/lib/events/nats.js";
import { freePort } from "./free-port.js";
import {
  NATS_USERS,
  natsAuthConfig,
  randomNatsPasswords,
  type NatsAuthScope,
  type NatsPasswords,
  type NatsUser,
  type NatsUserEntry,
} from "./nats-auth.js";

export interface RunningNats {
  url: string;
  origin: string;
  /** Where and as whom `user` connects. */
  endpoint(user: NatsUser): NatsEndpoint;
  stop(): Promise<void>;
}

export class NatsUnavailableError extends Error {}

/** Resolves once the server takes connections (it answers an anonymous one with an authorization error). */
export async function waitUntilUp(url: string, deadlineMs: number): Promise<void> {
  for (;;) {
    try {
      const nc = await connect({ servers: url, reconnect: false });
      await nc.close();
      return;
    } catch (err) {
      if (err instanceof AuthorizationError) return;
      if (Date.now() > deadlineMs) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export function requireNatsServer(): void {
  if (spawnSync("nats-server", ["--version"]).error) {
    throw new NatsUnavailableError(
      "No NATS server: set NATS_URL to a JetStream-enabled server (e.g. nats://127.0.0.1:4222), or install the " +
        "nats-server binary on PATH (Debian/Ubuntu: apt-get install nats-server; macOS: brew install nats-server; " +
        "or download it from https://github.com/nats-io/nats-server/releases).",
    );
  }
}

/** A nats-server's files: its configuration (users with random passwords, readable by this user only) and store. */
export interface NatsServerFiles {
  /** The directory holding both. */
  dir: string;
  args: string[];
  endpoint(user: NatsUser): NatsEndpoint;
  remove(): void;
}

/** For a node of a cluster: the passwords every node shares, and its own lines (server_name, cluster, http). */
export interface NatsNodeConfig {
  passwords: NatsPasswords;
  lines: string[];
}

export function natsServerFiles(
  port: number,
  scope: NatsAuthScope,
  extraUsers: NatsUserEntry[] = [],
  node?: NatsNodeConfig,
): NatsServerFiles {
  const dir = mkdtempSync(join(tmpdir(), "payment-platform-nats-"));
  const passwords = node?.passwords ?? randomNatsPasswords();
  const config = join(dir, "nats-server.conf");
  writeFileSync(
    config,
    ["jetstream {}", ...(node?.lines ?? []), natsAuthConfig(passwords, scope, extraUsers)].join("\n"),
    { mode: 0o600 },
  );
  const url = `nats://127.0.0.1:${port}`;
  return {
    dir,
    args: ["-c", config, "-a", "127.0.0.1", "-p", String(port), "-sd", join(dir, "store")],
    endpoint: (user) => ({ servers: [url], user, password: passwords[user] }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A JetStream nats-server from PATH on a free port, with a user per service allowed only its subjects in `scope`. */
export async function startNatsServer(scope: NatsAuthScope, extraUsers: NatsUserEntry[] = []): Promise<RunningNats> {
  requireNatsServer();
  const port = await freePort();
  const files = natsServerFiles(port, scope, extraUsers);
  const child = spawn("nats-server", files.args, { stdio: "ignore" });
  const url = `nats://127.0.0.1:${port}`;
  await waitUntilUp(url, Date.now() + 10_000);
  return {
    url,
    origin: `nats-server started on port ${port}, a user per service`,
    endpoint: files.endpoint,
    stop: async () => {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
      files.remove();
    },
  };
}

/** NATS_<USER>_PASSWORD, e.g. NATS_OPERATOR_TOOLS_PASSWORD: a user's password on the server NATS_URL names. */
export const natsPasswordVariable = (user: NatsUser) => `NATS_${user.toUpperCase().replace(/-/g, "_")}_PASSWORD`;

/**
 * NATS_URL when set, each user with its password from NATS_<USER>_PASSWORD (none: connects without credentials,
 * for a server without authorization); otherwise startNatsServer.
 */
export async function ensureNats(scope: NatsAuthScope): Promise<RunningNats> {
  const fromEnv = process.env.NATS_URL;
  if (!fromEnv) return startNatsServer(scope);
  const servers = parseNatsServers(fromEnv);
  const passwords = new Map(NATS_USERS.map((user) => [user, process.env[natsPasswordVariable(user)]]));
  return {
    url: fromEnv,
    origin: "NATS_URL",
    endpoint: (user) => (passwords.get(user) ? { servers, user, password: passwords.get(user) } : { servers }),
    stop: async () => {},
  };
}
