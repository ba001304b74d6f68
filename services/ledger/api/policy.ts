import { LedgerService } from "../../../gen/ledger/v1/ledger_pb.js";
import { definePolicy } from "../../lib/auth/policy.js";

const readers = ["console", "reconciliation", "operator-tools"] as const;

export const ledgerPolicy = definePolicy(LedgerService, {
  openAccount: { callers: ["reconciliation", "operator-tools"], mutates: true, retryOnStoreOutage: true },
  // Reserved ids (payin:, refund:, ...) are further kept to their writers: see reserved-ids.ts.
  postTransaction: { callers: ["reconciliation", "operator-tools"], mutates: true, retryOnStoreOutage: true },
  postTransactions: { callers: ["reconciliation", "operator-tools"], mutates: true, retryOnStoreOutage: true },
  getTransaction: { callers: readers, mutates: false },
  getBalance: { callers: readers, mutates: false },
  listAccounts: { callers: readers, mutates: false },
  listEntries: { callers: readers, mutates: false },
  checkInvariants: { callers: readers, mutates: false },
  lookupTransactions: { callers: ["reconciliation", "operator-tools"], mutates: false },
  lookupEntries: { callers: ["reconciliation", "operator-tools"], mutates: false },
  listTransactionIds: { callers: ["reconciliation", "operator-tools"], mutates: false },
  getRevenue: { callers: ["console", "operator-tools"], mutates: false },
  forecastRevenue: { callers: ["console", "operator-tools"], mutates: false },
});
