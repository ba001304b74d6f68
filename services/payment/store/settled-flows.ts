import type { SettledFlow } from "../../lib/pipeline/settled-store.js";

/** What the ledger books from this service: charged payments (also when refunded since) and succeeded refunds. */
export const paymentSettledFlows: readonly SettledFlow[] = [
  { name: "payin", table: "payments", idColumn: "id", settled: "checkout_status in ('SUCCEEDED', 'PARTIALLY_REFUNDED', 'REFUNDED')" },
  { name: "refund", table: "refunds", idColumn: "id", settled: "status = 'SUCCEEDED'" },
];
