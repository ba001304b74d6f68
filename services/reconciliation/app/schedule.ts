import { DomainError } from "../../lib/errors.js";
import type { Logger } from "../../lib/log.js";
import type { Runs } from "./ports.js";
import type { Reconciliation } from "./reconciliation.js";

/**
 * The nightly job: reconciles each recent day that is due (never reconciled, its last run failed, or a charge was
 * fixed automatically that only a new run settles), with the PSP's file of the day. A day with no file yet, or one
 * another instance is reconciling, is left for the next time. Returns the days it reconciled.
 */
export async function reconcileDueDays(
  reconciliation: Pick<Reconciliation, "run">,
  runs: Pick<Runs, "dayIsDue">,
  days: string[],
  log: Logger,
): Promise<string[]> {
  const reconciled: string[] = [];
  for (const date of days) {
    if (!(await runs.dayIsDue(date))) continue;
    try {
      const { run, changes } = await reconciliation.run(date);
      log.info("scheduled reconciliation", { date, runId: run.id, changes });
      reconciled.push(date);
    } catch (err) {
      const later = err instanceof DomainError && (err.kind === "not_found" || err.kind === "aborted");
      if (!later) log.warn("scheduled reconciliation failed; it runs again next time", { date, error: String(err) });
    }
  }
  return reconciled;
}
