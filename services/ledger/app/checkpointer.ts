import type { Logger } from "../../lib/log.js";
import { startPeriodic } from "../../lib/periodic.js";
import type { Checkpoints } from "./ports.js";

/**
 * Folds finished entries into the account checkpoints every `intervalMs`, so that a balance never sums more than
 * an interval's worth of entries. Every instance runs one; a database lock lets one at a time do the work.
 * Returns a function that stops it and waits for the run in progress.
 */
export function startCheckpointer(checkpoints: Checkpoints, intervalMs: number, log: Logger): () => Promise<void> {
  return startPeriodic("checkpoint", intervalMs, () => checkpoints.advanceCheckpoints(), log);
}
