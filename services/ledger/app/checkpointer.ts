import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../../lib/log.js";
import type { LedgerStore } from "../store/ledger-store.js";

/**
 * Folds finished entries into the account checkpoints every `intervalMs`, so that a balance never sums more than
 * an interval's worth of entries. Every instance runs one; a database lock lets one at a time do the work.
 * Returns a function that stops it and waits for the run in progress.
 */
export function startCheckpointer(store: LedgerStore, intervalMs: number, log: Logger): () => Promise<void> {
  const stop = new AbortController();
  const running = (async () => {
    while (!stop.signal.aborted) {
      await store.advanceCheckpoints().catch((err: unknown) => log.warn("checkpoint failed; will retry", { error: String(err) }));
      await sleep(intervalMs, undefined, { signal: stop.signal }).catch(() => {});
    }
  })();
  return async () => {
    stop.abort();
    await running;
  };
}
