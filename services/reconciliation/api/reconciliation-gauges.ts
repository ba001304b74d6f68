import type { Registry } from "prom-client";
import { scrapedGauge } from "../../lib/metrics/scraped-gauge.js";
import { registerStatusGauge } from "../../lib/metrics/status-gauge.js";
import type { ReconciliationStore } from "../store/reconciliation-store.js";

const RUN_STATUSES = ["running", "finished", "failed"] as const;

/** reconciliation_runs{status} and reconciliation_open_exceptions, read from the database at each scrape. */
export function registerReconciliationGauges(registry: Registry, store: ReconciliationStore): void {
  registerStatusGauge(
    registry,
    {
      name: "reconciliation_runs",
      help: "Reconciliation runs in each status (read from the database).",
      statuses: RUN_STATUSES,
    },
    () => store.countRunsByStatus(),
  );
  scrapedGauge(
    registry,
    {
      name: "reconciliation_open_exceptions",
      help: "Reconciliation exceptions still open (neither auto-fixed nor adjusted).",
    },
    async () => [{ labels: {}, value: await store.countOpenExceptions() }],
  );
}
