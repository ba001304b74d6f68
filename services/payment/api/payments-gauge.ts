import type { Registry } from "prom-client";
import { registerStatusGauge } from "../../lib/metrics/status-gauge.js";
import { PAYMENT_STATUSES } from "../domain/status.js";
import type { PaymentStore } from "../store/payment-store.js";

/** payments{status}: the payments in each (checkout) status. */
export function registerPaymentsGauge(registry: Registry, store: PaymentStore): void {
  registerStatusGauge(
    registry,
    {
      name: "payments",
      help: "Payments in each status (read from the database; every instance reports the same).",
      statuses: PAYMENT_STATUSES,
    },
    () => store.countByStatus(),
  );
}
