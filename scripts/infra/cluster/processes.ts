import { spawn } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/** Who a daemon runs as: PostgreSQL (and so Patroni) refuses to run as root. */
export interface RunAs {
  uid: number;
  gid: number;
}

/** A background process of a cluster; its output goes line by line to `log`. */
export interface Daemon {
  pid: number;
  exited: Promise<void>;
  /** Set once the process has exited. */
  done: boolean;
}

const daemons = new Set<number>();
const clusterDirs = new Set<string>();
// Whatever ends this process (short of a signal it does not handle), its daemons end with it, and so does what they
// started in sessions of their own (a postmaster): anything naming a cluster's directory, which goes too.
process.once("exit", () => {
  for (const pid of daemons) signal(pid, "SIGKILL");
  for (const dir of clusterDirs) {
    for (const pid of processesMentioning(dir)) for (const p of [pid, ...childrenOf(pid)]) signal(p, "SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Until the returned function is called, the processes naming `dir` are killed, and `dir` removed, when this process exits. */
export function sweepOnExit(dir: string): () => void {
  clusterDirs.add(dir);
  return () => clusterDirs.delete(dir);
}

export function startDaemon(
  name: string,
  command: string,
  args: string[],
  options: { runAs?: RunAs; cwd?: string; env?: NodeJS.ProcessEnv; log?: (line: string) => void } = {},
): Daemon {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
    ...options.runAs,
  });
  const log = options.log;
  for (const stream of [child.stdout, child.stderr]) {
    let rest = "";
    stream.setEncoding("utf8").on("data", (text: string) => {
      const lines = (rest + text).split("\n");
      rest = lines.pop()!;
      for (const line of lines) log?.(`${name}: ${line}`);
    });
  }
  const daemon: Daemon = {
    pid: child.pid ?? -1,
    done: false,
    exited: new Promise((resolve) => {
      const finish = () => {
        daemons.delete(daemon.pid);
        daemon.done = true;
        resolve();
      };
      child.once("close", finish);
      child.once("error", (err) => {
        log?.(`${name}: ${err.message}`);
        finish();
      });
    }),
  };
  if (child.pid !== undefined) daemons.add(child.pid);
  return daemon;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

const pids = () =>
  readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);

function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return undefined;
  }
}

/** The processes whose parent is `pid` (PostgreSQL's backends make themselves group leaders: no group kill reaches them). */
export function childrenOf(pid: number): number[] {
  return pids().filter((p) => {
    const stat = readProc(p, "stat");
    // Fields after the command, which is in parentheses and may hold spaces: state, ppid, ...
    return stat !== undefined && Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid;
  });
}

/** The processes whose command line names `path` (a cluster's own directory): what must not outlive the cluster. */
export function processesMentioning(path: string): number[] {
  return pids().filter(
    (p) => p !== process.pid && (readProc(p, "cmdline")?.replaceAll("\0", " ") ?? "").includes(path),
  );
}

/** kill -9 of all of them at once, as a machine's crash would; resolves once none is alive. */
export async function killAll(targets: number[], timeoutMs = 10_000): Promise<void> {
  for (const pid of targets) signal(pid, "SIGKILL");
  const deadline = Date.now() + timeoutMs;
  while (targets.some(isAlive)) {
    if (Date.now() > deadline) throw new Error(`processes ${targets.filter(isAlive).join(", ")} survived SIGKILL`);
    await sleep(20);
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the daemon has exited. */
export async function stopDaemon(daemon: Daemon, graceMs = 5_000): Promise<void> {
  if (daemon.done) return;
  signal(daemon.pid, "SIGTERM");
  const timer = setTimeout(() => signal(daemon.pid, "SIGKILL"), graceMs);
  await daemon.exited;
  clearTimeout(timer);
}

/** A daemon died while something waited for it: no use waiting on. */
export class DaemonExited extends Error {}

/**
 * Polls `check` until it returns a value (not undefined), or fails after `timeoutMs` saying what it waited for;
 * at once when `check` throws DaemonExited.
 */
export async function waitUntil<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      if (err instanceof DaemonExited) throw err;
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await sleep(everyMs);
  }
}
