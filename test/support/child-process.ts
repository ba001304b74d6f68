import { spawn } from "node:child_process";

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A child process of the test run: its stderr is kept (the tail of it), and it never outlives the run. */
export interface Child {
  /** Set once the process has exited and its stderr is closed. */
  exit: Exit | undefined;
  exited: Promise<Exit>;
  /** The last 64 KiB the child wrote to stderr. */
  output(): string;
  /** Sends `signal` unless the child already exited, and waits for the exit; SIGKILL if it lingers. */
  stop(signal: NodeJS.Signals): Promise<Exit>;
}

const OUTPUT_LIMIT = 64 * 1024;
const STOP_GRACE_MS = 5_000;
const running = new Set<() => void>();
// Children of a worker that dies (a failed hook, vitest's teardown) must not keep ports and stores busy.
process.once("exit", () => running.forEach((kill) => kill()));

export function startChild(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Child {
  const child = spawn(command, args, { env, stdio: ["ignore", "ignore", "pipe"] });
  let output = "";
  const keep = (text: string) => (output = (output + text).slice(-OUTPUT_LIMIT));
  child.stderr.setEncoding("utf8").on("data", keep);
  const kill = () => child.kill("SIGKILL");
  running.add(kill);
  const handle: Child = {
    exit: undefined,
    exited: new Promise<Exit>((resolve) => {
      const done = (exit: Exit) => {
        running.delete(kill);
        handle.exit = exit;
        resolve(exit);
      };
      // "close", not "exit": by then stderr is read to its end, so a dying line (e.g. FAILPOINT ...) is in output().
      child.once("close", (code, signal) => done({ code, signal }));
      child.once("error", (err) => {
        keep(`\n${command}: ${err.message}\n`);
        done({ code: null, signal: null });
      });
    }),
    output: () => output,
    stop: async (signal) => {
      if (handle.exit) return handle.exit;
      child.kill(signal);
      const lingering = setTimeout(kill, STOP_GRACE_MS);
      try {
        return await handle.exited;
      } finally {
        clearTimeout(lingering);
      }
    },
  };
  return handle;
}
