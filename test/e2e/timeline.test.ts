import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { TEST_CARDS } from "../../scripts/buyer.js";
import { payCheckout, sampleCheckout } from "../support/checkouts.js";
import { grpc, unary } from "../support/grpc-js.js";
import { usePlatform } from "../support/use-platform.js";
import { waitFor } from "../support/wait.js";
import { failure } from "../ledger/ledger-test-service.js";

const under = usePlatform();

/** A checkout of one order for `sellerId`, paid with `card`; resolves once it has settled. */
const paidWith = (card: string, sellerId: string) =>
  payCheckout(under.payments, sampleCheckout({ orders: [{ orderId: "order-1", sellerId, amount: { amountMinor: "1200", currency: "USD" } }] }), card);

describe("a payment's timeline and the operators' search", () => {
  it("GetPaymentTimeline tells the status changes, the webhooks received and the events published, oldest first", async () => {
    const paymentId = await paidWith(TEST_CARDS.success, `seller-${randomUUID()}`);
    const timeline = await waitFor(
      () => unary(under.as("console", "payments"), "getPaymentTimeline", { paymentId }).then((r) => r.entries),
      (entries) => entries.filter((e: any) => e.event).every((e: any) => e.event.publishedAt) && entries.some((e: any) => e.webhook),
      15_000,
      "the events to be published",
    );
    const told = timeline.map((e: any) => (e.status ? `status ${e.status}` : e.webhook ? `webhook ${e.webhook.type} ${e.webhook.outcome}` : `event ${e.event.subject}`));
    expect(told.filter((t: string) => t.startsWith("status"))).toEqual(["status PAYMENT_STATUS_EXECUTING", "status PAYMENT_STATUS_SUCCEEDED"]);
    expect(told.filter((t: string) => t.startsWith("event"))).toEqual(["event payment.executing", "event payment.succeeded"]);
    expect(told).toContain("webhook payment.succeeded applied");
    // The webhook came before the status change it caused.
    expect(told.indexOf("webhook payment.succeeded applied")).toBeLessThan(told.indexOf("status PAYMENT_STATUS_SUCCEEDED"));
    const seconds = timeline.map((e: any) => Number(e.at.seconds) * 1e9 + e.at.nanos);
    expect(seconds).toEqual([...seconds].sort((a, b) => a - b));

    expect(await failure(unary(under.as("console", "payments"), "getPaymentTimeline", { paymentId: "pay_nope" }))).toMatchObject({ code: grpc.status.NOT_FOUND });
  });

  it("ListPayments finds a seller's payments, by checkout status too", async () => {
    const sellerId = `seller-${randomUUID()}`;
    const paid = await paidWith(TEST_CARDS.success, sellerId);
    const declined = await paidWith(TEST_CARDS.declined, sellerId);
    await paidWith(TEST_CARDS.success, `seller-${randomUUID()}`);
    const ids = async (filter: object) => (await unary(under.payments, "listPayments", filter)).payments.map((p: { paymentId: string }) => p.paymentId);
    expect(await ids({ sellerId })).toEqual([declined, paid]);
    expect(await ids({ sellerId, status: "PAYMENT_STATUS_SUCCEEDED" })).toEqual([paid]);
    expect(await ids({ sellerId, status: "PAYMENT_STATUS_FAILED" })).toEqual([declined]);
    expect(await failure(unary(under.payments, "listPayments", { sellerId: "" , status: 999 }))).toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
  });
});
