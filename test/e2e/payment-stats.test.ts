import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { StatsPeriod, type PaymentStatsBucket } from "../../gen/payment/v1/payment_pb.js";
import { TEST_CARDS } from "../../scripts/buyer.js";
import { payCheckout, sampleCheckout, usd } from "../support/checkouts.js";
import { usePlatform } from "../support/use-platform.js";

const under = usePlatform();
const payments = () => under.client("payment", "marketplace");
/** The console's charts read the stats through a typed client. */
const stats = () => under.client("payment", "console");

const sum = (buckets: PaymentStatsBucket[], field: "created" | "succeeded" | "failed") =>
  buckets.reduce((total, b) => total + b[field], 0n);

describe("payment stats for the operators' charts", () => {
  it("counts the payments created per hour and per day by outcome, and what was charged per currency", async () => {
    await payCheckout(payments(), sampleCheckout(), TEST_CARDS.success); // 35.00 USD
    await payCheckout(
      payments(),
      sampleCheckout({ orders: [{ orderId: "o", sellerId: "seller-a", amount: usd(700) }] }),
      TEST_CARDS.declined,
    );
    await payments().createPayment(sampleCheckout()); // waits for the buyer

    // Two hours, so that the payments are counted even when the hour turned during the test.
    const { buckets: hours } = await stats().getPaymentStats({ period: StatsPeriod.HOUR, periods: 2 });
    expect(hours).toHaveLength(2);
    expect(hours[1]!.start!.seconds - hours[0]!.start!.seconds).toBe(3600n);
    expect([sum(hours, "created"), sum(hours, "succeeded"), sum(hours, "failed")]).toEqual([3n, 1n, 1n]);
    expect(hours.flatMap((b) => b.charged)).toMatchObject([{ amountMinor: 3500n, currency: "USD" }]);

    const { buckets: days } = await stats().getPaymentStats({ period: StatsPeriod.DAY, periods: 7 });
    expect(days).toHaveLength(7);
    expect(sum(days, "created")).toBe(3n);
    const lastYear = BigInt(Math.floor(Date.now() / 1000) - 365 * 86_400);
    const { buckets: thatYear } = await stats().getPaymentStats({
      period: StatsPeriod.DAY,
      periods: 30,
      until: { seconds: lastYear },
    });
    expect(sum(thatYear, "created")).toBe(0n);
  });

  it("refuses a range it would not draw", async () => {
    await expect(stats().getPaymentStats({ periods: 367 })).rejects.toMatchObject({
      code: Code.InvalidArgument,
      rawMessage: expect.stringContaining("periods"),
    });
    await expect(stats().getPaymentStats({ until: { seconds: 999999999999n } })).rejects.toMatchObject({
      code: Code.InvalidArgument,
      rawMessage: expect.stringContaining("until"),
    });
  });
});
