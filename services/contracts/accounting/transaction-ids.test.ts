import { describe, expect, it } from "vitest";
import {
  adjustmentTransactionId,
  disputeTransactionId,
  payInTransactionId,
  payoutTransactionId,
  refundTransactionId,
  settlementTransactionId,
} from "./transaction-ids.js";

// Posting is idempotent on these ids and the journal keeps them for ever: a change here would book every fact twice.
describe("transaction ids", () => {
  it("name each booked fact as the journal already does", () => {
    expect(payInTransactionId("pay_1")).toBe("payin:pay_1");
    expect(refundTransactionId("rf-1")).toBe("refund:rf-1");
    expect(payoutTransactionId("po-1", "requested")).toBe("payout:po-1:requested");
    expect(disputeTransactionId("dp-1", "won")).toBe("dispute:dp-1:won");
    expect(settlementTransactionId("2024-03-05", "EUR", 2)).toBe("settlement:2024-03-05:EUR:2");
    expect(adjustmentTransactionId("42")).toBe("adjustment:42");
  });
});
