import { ReconciliationService } from "../../../gen/reconciliation/v1/reconciliation_pb.js";
import { definePolicy } from "../../lib/auth/policy.js";

const readers = ["console", "operator-tools"] as const;

export const reconciliationPolicy = definePolicy(ReconciliationService, {
  runReconciliation: { callers: ["operator-tools"], mutates: true, retryOnStoreOutage: true },
  listRuns: { callers: readers, mutates: false },
  getRun: { callers: readers, mutates: false },
  listExceptions: { callers: readers, mutates: false },
  getException: { callers: readers, mutates: false },
  // A person's decision, taken in the console.
  postAdjustment: { callers: ["console"], mutates: true, retryOnStoreOutage: true, operator: "required" },
});
