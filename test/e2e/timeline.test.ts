import { randomUUID } from "node:crypto";
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { PaymentStatus, type TimelineEntry } from "../../gen/payment/v1/payment_pb.js";
import { TEST_CARDS } from "../../scripts/buyer.js";
import { payCheckout, sampleCheckout, usd } from "../support/checkouts.js";
import { usePlatform } from "../support/use-platform.js";
import { waitFor } from "../support/wait.js";

const under = usePlatform();
const payments = () => under.client("payment", "marketplace");
/** Typed clients: the console's, which reads timelines, and the marketplace's. */
const consoleClient = () => under.client("payment", "console");
const marketplace = () => payments();

/** A checkout of one order for `sellerId`, paid with `card`; resolves once it has settled. */
const paidWith = (card: string, sellerId: string) =>
  payCheckout(payments(), sampleCheckout({ orders: [{ orderId: "order-1", sellerId, amount: usd(1_200) }] }), card);

/** One entry, as an operator reads it: "status SUCCEEDED", "webhook payment.succeeded applied", "event payment.succeeded". */
function told({ what }: TimelineEntry): string {
  switch (what.case) {
    case "status":
      return `status ${PaymentStatus[what.value]}`;
    case "webhook":
      return `webhook ${what.value.type} ${what.value.outcome}`;
    case "event":
      return `event ${what.value.subject}`;
    default:
      throw new Error("a timeline entry without what happened");
  }
}

describe("a payment's timeline and the operators' search", () => {
  it("GetPaymentTimeline tells the status changes, the webhooks received and the events published, oldest first", async () => {
    const paymentId = await paidWith(TEST_CARDS.success, `seller-${randomUUID()}`);
    const timeline = await waitFor(
      () =>
        consoleClient()
          .getPaymentTimeline({ paymentId })
          .then((r) => r.entries),
      (entries) =>
        entries.every((e) => e.what.case !== "event" || e.what.value.publishedAt) &&
        entries.some((e) => e.what.case === "webhook"),
      15_000,
      "the events to be published",
    );
    const story = timeline.map(told);
    expect(story.filter((t) => t.startsWith("status"))).toEqual(["status EXECUTING", "status SUCCEEDED"]);
    expect(story.filter((t) => t.startsWith("event"))).toEqual(["event payment.executing", "event payment.succeeded"]);
    expect(story).toContain("webhook payment.succeeded applied");
    // The webhook came before the status change it caused.
    expect(story.indexOf("webhook payment.succeeded applied")).toBeLessThan(story.indexOf("status SUCCEEDED"));
    const nanos = timeline.map((e) => e.at!.seconds * 1_000_000_000n + BigInt(e.at!.nanos));
    expect(nanos).toEqual([...nanos].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));

    await expect(consoleClient().getPaymentTimeline({ paymentId: "pay_nope" })).rejects.toMatchObject({
      code: Code.NotFound,
    });
  });

  it("ListPayments finds a seller's payments, by checkout status too", async () => {
    const sellerId = `seller-${randomUUID()}`;
    const paid = await paidWith(TEST_CARDS.success, sellerId);
    const declined = await paidWith(TEST_CARDS.declined, sellerId);
    await paidWith(TEST_CARDS.success, `seller-${randomUUID()}`);
    const ids = async (filter: { sellerId: string; status?: PaymentStatus }) =>
      (await marketplace().listPayments(filter)).payments.map((p) => p.paymentId);
    expect(await ids({ sellerId })).toEqual([declined, paid]);
    expect(await ids({ sellerId, status: PaymentStatus.SUCCEEDED })).toEqual([paid]);
    expect(await ids({ sellerId, status: PaymentStatus.FAILED })).toEqual([declined]);
    await expect(marketplace().listPayments({ sellerId: "", status: 999 as PaymentStatus })).rejects.toMatchObject({
      code: Code.InvalidArgument,
    });
  });
});
