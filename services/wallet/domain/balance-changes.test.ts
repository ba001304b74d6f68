import { describe, expect, it } from "vitest";
import { payInCredits, payoutReturn, refundDebits } from "./balance-changes.js";

const order = (sellerId: string, sellerNetMinor: bigint) => ({
  orderId: `o-${sellerId}-${sellerNetMinor}`,
  sellerId,
  amountMinor: sellerNetMinor,
  platformFeeMinor: 0n,
  sellerNetMinor,
});

describe("pay-in credits", () => {
  it("credits each seller once with the sum of their nets, leaving out zero nets", () => {
    expect(payInCredits({ orders: [order("a", 100n), order("b", 0n), order("a", 50n), order("c", 7n)] })).toEqual([
      { sellerId: "a", amountMinor: 150n },
      { sellerId: "c", amountMinor: 7n },
    ]);
  });
});

describe("refund debits", () => {
  it("debits the seller by the seller debit, nothing when it is zero", () => {
    expect(refundDebits({ sellerId: "a", sellerDebitMinor: 975n })).toEqual([{ sellerId: "a", amountMinor: -975n }]);
    expect(refundDebits({ sellerId: "a", sellerDebitMinor: 0n })).toEqual([]);
  });
});

describe("payout returns", () => {
  it("give a failed payout's amount back to its seller, nothing for a paid one", () => {
    const payout = { sellerId: "a", amount: { amountMinor: 2_000n, currency: "USD" } };
    expect(payoutReturn({ ...payout, status: "FAILED" })).toEqual([{ sellerId: "a", amountMinor: 2_000n }]);
    expect(payoutReturn({ ...payout, status: "PAID" })).toEqual([]);
  });
});
