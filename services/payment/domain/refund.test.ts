import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { splitOrder } from "./fees.js";
import type { Payment, PaymentOrder } from "./payment.js";
import { planRefund, refundFeeShare, type Refund } from "./refund.js";

const order = (
  amountMinor: bigint,
  platformFeeMinor: bigint,
  status: PaymentOrder["status"] = "SUCCEEDED",
): PaymentOrder => ({
  orderId: "o1",
  sellerId: "s1",
  amountMinor,
  platformFeeMinor,
  requestedMinor: amountMinor,
  status,
});
const paymentOf = (o: PaymentOrder) => ({ id: "pay_1", currency: "USD", orders: [o] }) as unknown as Payment;
const usd = (amountMinor: bigint) => ({ amountMinor, currency: "USD" });

describe("refund planning", () => {
  it("partial refunds reverse the fee proportionally and add up to exactly the order's fee", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10_000_000n }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.array(fc.bigInt({ min: 1n, max: 10_000_000n }), { minLength: 1, maxLength: 8 }),
        (amount, bps, weights) => {
          const o = order(amount, splitOrder(amount, bps).platformFeeMinor);
          // Split the whole amount into refunds in proportion to the weights.
          const total = weights.reduce((a, b) => a + b, 0n);
          const parts = weights.map((w) => (amount * w) / total).filter((p) => p > 0n);
          const last = amount - parts.reduce((a, b) => a + b, 0n);
          if (last > 0n) parts.push(last);
          const done: Pick<Refund, "amountMinor" | "platformFeeReversedMinor" | "status">[] = [];
          for (const part of parts) {
            const { platformFeeReversedMinor } = planRefund(paymentOf(o), o, usd(part), done);
            expect(platformFeeReversedMinor >= 0n && platformFeeReversedMinor <= part).toBe(true);
            // Within one minor unit of the exact proportional share.
            const exact2 = (2n * o.platformFeeMinor * part) / o.amountMinor;
            expect(2n * platformFeeReversedMinor - exact2 <= 2n && exact2 - 2n * platformFeeReversedMinor <= 2n).toBe(
              true,
            );
            done.push({ amountMinor: part, platformFeeReversedMinor, status: "SUCCEEDED" });
          }
          expect(done.reduce((s, r) => s + r.platformFeeReversedMinor, 0n)).toBe(o.platformFeeMinor);
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it("refuses more than what remains, stating what remains; failed refunds do not count", () => {
    const o = order(10_000n, 250n);
    const earlier = [
      { amountMinor: 4_000n, platformFeeReversedMinor: 100n, status: "SUCCEEDED" as const },
      { amountMinor: 5_000n, platformFeeReversedMinor: 125n, status: "FAILED" as const },
    ];
    expect(() => planRefund(paymentOf(o), o, usd(6_001n), earlier)).toThrow(
      /has 60\.00 USD left to refund .*asked for 60\.01 USD/,
    );
    expect(planRefund(paymentOf(o), o, usd(6_000n), earlier)).toEqual({ platformFeeReversedMinor: 150n });
  });

  it("takes the fee share from the refunds that succeeded, so a failed one in between changes nothing", () => {
    const o = order(1_000n, 25n);
    const earlier = [{ amountMinor: 500n, platformFeeReversedMinor: 13n, status: "FAILED" as const }];
    expect(refundFeeShare(o, 500n, earlier)).toBe(13n);
    expect(refundFeeShare(o, 500n, [{ ...earlier[0]!, status: "SUCCEEDED" }])).toBe(12n);
  });

  it("refuses a payment under an open or lost dispute", () => {
    const o = order(1_000n, 25n);
    expect(() => planRefund(paymentOf(o), o, usd(1n), [], { disputeId: "dp_1", status: "OPEN" })).toThrow(
      /OPEN dispute dp_1/,
    );
  });

  it("refuses an order that was never paid, and another currency", () => {
    const unpaid = order(1_000n, 25n, "EXECUTING");
    expect(() => planRefund(paymentOf(unpaid), unpaid, usd(1n), [])).toThrow(/is EXECUTING: only a paid order/);
    const paid = order(1_000n, 25n);
    expect(() => planRefund(paymentOf(paid), paid, { amountMinor: 1n, currency: "EUR" }, [])).toThrow(
      /amount.currency: is EUR/,
    );
  });
});
