import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "./log.js";

/**
 * Runs `task` now, then `intervalMs` after each run ends, until stopped. A failed run is logged and the next one
 * comes as usual. The returned function stops the loop (the signal tells a long run to finish early) and waits
 * for the run in progress.
 */
export function startPeriodic(
  what: string,
  intervalMs: number,
  task: (signal: AbortSignal) => Promise<unknown>,
  log: Logger,
): () => Promise<void> {
  const stop = new AbortController();
  const running = (async () => {
    while (!stop.signal.aborted) {
      await task(stop.signal).catch((err: unknown) =>
        log.warn(`${what} failed; will run again`, { error: String(err) }),
      );
      await sleep(intervalMs, undefined, { signal: stop.signal }).catch(() => {});
    }
  })();
  return async () => {
    stop.abort();
    await running;
  };
}
