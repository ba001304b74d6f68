import type { Registry } from "prom-client";
import { registerStatusGauge } from "../../lib/metrics/status-gauge.js";
import { PAYOUT_STATUSES } from "../domain/payout.js";
import type { PayoutStore } from "../store/payout-store.js";

/** payouts{status}: the payouts in each status (a rising FAILED count is a payout the PSP could not make). */
export function registerPayoutsGauge(registry: Registry, store: PayoutStore): void {
  registerStatusGauge(
    registry,
    {
      name: "payouts",
      help: "Payouts in each status (read from the database; every instance reports the same).",
      statuses: PAYOUT_STATUSES,
    },
    () => store.countByStatus(),
  );
}
