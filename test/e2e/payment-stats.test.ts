import { describe, expect, it } from "vitest";
import { TEST_CARDS } from "../../scripts/buyer.js";
import { payCheckout, sampleCheckout, usd } from "../support/checkouts.js";
import { grpc, unary } from "../support/grpc-js.js";
import { usePlatform } from "../support/use-platform.js";
import { failure } from "../ledger/ledger-test-service.js";

const under = usePlatform();

const sum = (buckets: any[], field: string) => buckets.reduce((total, b) => total + Number(b[field]), 0);

describe("payment stats for the operators' charts", () => {
  it("counts the payments created per hour and per day by outcome, and what was charged per currency", async () => {
    await payCheckout(under.payments, sampleCheckout(), TEST_CARDS.success); // 35.00 USD
    await payCheckout(under.payments, sampleCheckout({ orders: [{ orderId: "o", sellerId: "seller-a", amount: usd(700) }] }), TEST_CARDS.declined);
    await unary(under.payments, "createPayment", sampleCheckout()); // waits for the buyer

    // Two hours, so that the payments are counted even when the hour turned during the test.
    const { buckets: hours } = await unary(under.as("console", "payments"), "getPaymentStats", { period: "STATS_PERIOD_HOUR", periods: 2 });
    expect(hours).toHaveLength(2);
    expect(Number(hours[1].start.seconds) - Number(hours[0].start.seconds)).toBe(3600);
    expect([sum(hours, "created"), sum(hours, "succeeded"), sum(hours, "failed")]).toEqual([3, 1, 1]);
    expect(hours.flatMap((b: any) => b.charged)).toEqual([{ amountMinor: "3500", currency: "USD" }]);

    const { buckets: days } = await unary(under.as("console", "payments"), "getPaymentStats", { period: "STATS_PERIOD_DAY", periods: 7 });
    expect(days).toHaveLength(7);
    expect(sum(days, "created")).toBe(3);
    const { buckets: lastYear } = await unary(under.as("console", "payments"), "getPaymentStats", { period: "STATS_PERIOD_DAY", periods: 30, until: { seconds: String(Math.floor(Date.now() / 1000) - 365 * 86_400) } });
    expect(sum(lastYear, "created")).toBe(0);
  });

  it("refuses a range it would not draw", async () => {
    const refused = await failure(unary(under.as("console", "payments"), "getPaymentStats", { periods: 367 }));
    expect(refused).toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    expect(refused.details).toContain("periods");
    const farFuture = await failure(unary(under.as("console", "payments"), "getPaymentStats", { until: { seconds: "999999999999" } }));
    expect(farFuture).toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    expect(farFuture.details).toContain("until");
  });
});
