import { DomainError } from "../../lib/errors.js";
import type { Logger } from "../../lib/log.js";
import { settlementWindow } from "../domain/settlement-day.js";
import type { ReconciliationStore } from "../store/reconciliation-store.js";
import type { Reconciliation } from "./reconciliation.js";

const DAY_MS = 24 * 60 * 60 * 1000;

/** The last `lookbackDays` settlement days that are over at `now` (their cutoff passed), oldest first. */
export function completeDays(now: number, cutoff: string, lookbackDays: number): string[] {
  const today = Date.parse(new Date(now).toISOString().slice(0, 10));
  // Today and yesterday may not be over yet (a day ends at the next day's cutoff).
  const candidates = Array.from({ length: lookbackDays + 2 }, (_, i) => new Date(today - (lookbackDays + 1 - i) * DAY_MS).toISOString().slice(0, 10));
  return lookbackDays === 0 ? [] : candidates.filter((date) => settlementWindow(date, cutoff).end <= now).slice(-lookbackDays);
}

/**
 * The nightly job: reconciles each recent day that is due (never reconciled, its last run failed, or a charge was
 * fixed automatically that only a new run settles), with the PSP's file of the day. A day with no file yet, or one
 * another instance is reconciling, is left for the next time. Returns the days it reconciled.
 */
export async function reconcileDueDays(reconciliation: Reconciliation, store: ReconciliationStore, days: string[], log: Logger): Promise<string[]> {
  const reconciled: string[] = [];
  for (const date of days) {
    if (!(await store.dayIsDue(date))) continue;
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
