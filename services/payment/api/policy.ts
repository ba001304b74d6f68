import { PaymentService } from "../../../gen/payment/v1/payment_pb.js";
import { definePolicy } from "../../lib/auth/policy.js";

const readers = ["marketplace", "console", "operator-tools"] as const;

export const paymentPolicy = definePolicy(PaymentService, {
  createPayment: { callers: ["marketplace"], mutates: true, retryOnStoreOutage: true },
  getPayment: { callers: [...readers, "reconciliation"], mutates: false },
  listPayments: { callers: readers, mutates: false },
  decideRiskReview: { callers: ["console"], mutates: true, retryOnStoreOutage: true, operator: "required" },
  watchPayment: { callers: ["marketplace", "console"], mutates: false },
  refundPayment: { callers: ["marketplace", "console"], mutates: true, retryOnStoreOutage: true },
  listRefunds: { callers: readers, mutates: false },
  capturePayment: { callers: ["marketplace"], mutates: true, retryOnStoreOutage: true },
  voidPayment: { callers: ["marketplace"], mutates: true, retryOnStoreOutage: true },
  refreshPayment: { callers: ["reconciliation", "operator-tools"], mutates: true, retryOnStoreOutage: true },
  listDisputes: { callers: readers, mutates: false },
  getPaymentTimeline: { callers: ["console", "operator-tools"], mutates: false },
  getPaymentStats: { callers: ["console", "operator-tools"], mutates: false },
  // What the ledger's CheckInvariants compares with its books (and operators, to look into a stall).
  getPipelineHealth: { callers: ["ledger", "operator-tools"], mutates: false },
  listSettled: { callers: ["ledger", "operator-tools"], mutates: false },
});
