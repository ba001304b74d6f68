import { spawn, type ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { acceptsConnections } from "./accepts.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
// The first processes of a cluster compile the sources (tsx) on a cold cache: over 60 s on a loaded two-core machine.
const STARTUP_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 10_000;

export interface ServiceProcess {
  pid: number;
  /** SIGTERM, then SIGKILL after a grace period. */
  stop(): Promise<void>;
  /** Sends `signal` (e.g. SIGKILL, a crash) and waits for the process to end. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

const children = new Set<ChildProcess>();
// Whatever ends this process, its services end with it.
process.once("exit", () => {
  for (const child of children) child.kill("SIGTERM");
});

/** Resolves once something listens on the port, or rejects when the process ends first or takes too long. */
async function listening(port: number, child: ChildProcess, name: string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before it listened on port ${port}`);
    if (await acceptsConnections(port)) return;
    if (Date.now() > deadline)
      throw new Error(`${name} did not listen on port ${port} within ${STARTUP_TIMEOUT_MS / 1000} s`);
    await sleep(100);
  }
}

/**
 * Runs one of the platform's services in a process of its own, from its main file (a path from the repository's
 * root) and environment, as it would run in production; resolves once it listens on `port`. Its logs go to stderr.
 */
export async function startServiceProcess(
  name: string,
  main: string,
  env: NodeJS.ProcessEnv,
  port: number,
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", main], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  children.add(child);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  void exited.then(() => children.delete(child));
  try {
    await listening(port, child, name);
  } catch (err) {
    child.kill("SIGKILL");
    throw err;
  }
  return {
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
    kill: async (signal) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited;
    },
  };
}
