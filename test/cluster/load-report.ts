import type { MoneyReport } from "./money-checks.js";
import type { LoadResult } from "./steady-load.js";

/** One line of totals, as the fault suite prints its own; the money figures once the checks ran. */
export function loadTotalsLine(load: LoadResult, report?: MoneyReport): string {
  const retries = Object.entries(load.retriesByCode)
    .map(([code, n]) => `${code}=${n}`)
    .join(" ");
  const problems = report && Object.values(report).reduce((sum, list) => sum + list.length, 0);
  return (
    `steady load: checkouts=${load.checkouts.length} payments=${load.payments.length} refunds=${load.refunds.length} ` +
    `payouts=${load.payouts.length} (refused=${load.payoutsRefused}) failed_journeys=${load.failures.length} ` +
    `client_retries=${Object.values(load.retriesByCode).reduce((a, b) => a + b, 0)} (${retries || "none"}) internal=${load.internals} ` +
    `double_charges=${report?.doubleCharges.length ?? "not checked"} lost=${report?.lost.length ?? "not checked"} money_problems=${problems ?? "not checked"}`
  );
}

/** The load's per-window table, its phases between the marks, and its totals. */
export function printLoad(load: LoadResult, report?: MoneyReport): void {
  console.log(`${load.timeline.format()}\n${loadTotalsLine(load, report)}`);
}
