import type { SettledFlow } from "../../lib/pipeline/settled-store.js";

/** What the ledger books from this service: paid payouts. */
export const walletSettledFlows: readonly SettledFlow[] = [
  { name: "payout", table: "payouts", idColumn: "payout_id", amountColumn: "amount_minor", settled: "status = 'PAID'" },
];
