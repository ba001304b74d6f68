import type { SettledFlow } from "../../lib/pipeline/settled-store.js";

/** What the ledger books from this service: charged payments (also when refunded since) and succeeded refunds. */
export const paymentSettledFlows: readonly SettledFlow[] = [
  {
    name: "payin",
    table: "payments",
    idColumn: "id",
    amountColumn: "total_minor",
    settled: "checkout_status in ('SUCCEEDED', 'PARTIALLY_REFUNDED', 'REFUNDED')",
  },
  { name: "refund", table: "refunds", idColumn: "id", amountColumn: "amount_minor", settled: "status = 'SUCCEEDED'" },
];
