import type { Registry } from "prom-client";
import { scrapedGauge } from "../../lib/metrics/scraped-gauge.js";
import { PAYMENT_STATUSES } from "../domain/status.js";
import type { PaymentStore } from "../store/payment-store.js";

/**
 * payments{status}: how many payments are in each status now, counted in the database at each scrape rather than
 * by counters of transitions, so that every instance reports the same totals, right across restarts.
 */
export function registerPaymentsGauge(registry: Registry, store: PaymentStore): void {
  scrapedGauge(registry, { name: "payments", help: "Payments in each status (read from the database; every instance reports the same).", labelNames: ["status"] }, async () => {
    const counts = await store.countByStatus();
    return PAYMENT_STATUSES.map((status) => ({ labels: { status }, value: counts.get(status) ?? 0 }));
  });
}
