import { describe, expect, it } from "vitest";
import {
  DAY_SECONDS,
  draws,
  startReceiver,
  startTestSimulator,
  verifySignature,
  waitFor,
  WEBHOOK_SECRET,
} from "./test-support.js";

describe("webhook events for every object", () => {
  it("sends each event type signed, with a snapshot of its object", async () => {
    const receiver = await startReceiver();
    const sim = await startTestSimulator({ webhookUrl: receiver.url });

    const authorized = await sim.paidPayment({ capture_method: "manual" });
    await sim.post(`/v1/payments/${authorized.id}/cancel`);
    const declined = await sim.paidPayment({}, "4000000000000002");
    const reviewed = await sim.paidPayment({}, "4000000000004954");
    await sim.post(`/v1/test_helpers/payments/${reviewed.id}/review`, { outcome: "approve" });
    const refund = await sim.post("/v1/refunds", { payment: reviewed.id, amount: 100 });
    const failingCard = await sim.paidPayment({}, "4000000000005126");
    const failedRefund = await sim.post("/v1/refunds", { payment: failingCard.id });
    const payout = await sim.post("/v1/payouts", {
      amount: 500,
      currency: "GBP",
      destination: "ba_1",
      reference: "w1",
    });
    const failedPayout = await sim.post("/v1/payouts", {
      amount: 500,
      currency: "GBP",
      destination: "ba_closed",
      reference: "w2",
    });
    const dispute = await sim.post(`/v1/test_helpers/payments/${reviewed.id}/dispute`, { amount: 200 });
    await sim.post(`/v1/test_helpers/disputes/${dispute.id}/close`, { outcome: "won" });

    const objectOf: Record<string, string> = {
      "payment.requires_capture": authorized.id,
      "payment.canceled": authorized.id,
      "payment.failed": declined.id,
      "payment.processing": reviewed.id,
      "payment.succeeded": reviewed.id,
      "refund.created": refund.id,
      "refund.succeeded": refund.id,
      "refund.failed": failedRefund.id,
      "payout.created": payout.id,
      "payout.paid": payout.id,
      "payout.failed": failedPayout.id,
      "dispute.created": dispute.id,
      "dispute.closed": dispute.id,
    };
    const eventOf = (type: string) =>
      receiver.events().find((e) => e.type === type && e.data.object.id === objectOf[type]);
    await waitFor(() => Object.keys(objectOf).every(eventOf), "every event type");

    for (const webhook of receiver.received) verifySignature(webhook, WEBHOOK_SECRET);
    for (const [type, id] of Object.entries(objectOf)) {
      expect(eventOf(type), type).toEqual({
        id: expect.stringMatching(/^evt_/),
        object: "event",
        type,
        created: expect.any(Number),
        data: { object: expect.objectContaining({ object: type.split(".")[0], id }) },
      });
    }
    expect(eventOf("payment.canceled").data.object).toMatchObject({
      status: "canceled",
      cancellation_reason: "requested_by_customer",
    });
    expect(eventOf("refund.failed").data.object).toMatchObject({
      status: "failed",
      failure_reason: "expired_or_canceled_card",
    });
    expect(eventOf("payout.failed").data.object).toMatchObject({ status: "failed", failure_code: "account_closed" });
    expect(eventOf("dispute.closed").data.object).toMatchObject({ status: "won", payment: reviewed.id });
  });

  it("lists deliveries with object_id, and payment_id for everything but payouts", async () => {
    const sim = await startTestSimulator();
    const payment = await sim.paidPayment();
    const refund = await sim.post("/v1/refunds", { payment: payment.id });
    const payout = await sim.post("/v1/payouts", { amount: 1, currency: "USD", destination: "ba_1", reference: "r" });
    await sim.waitForStatus(`/v1/refunds/${refund.id}`, "succeeded");
    await sim.waitForStatus(`/v1/payouts/${payout.id}`, "paid");

    const summary = (d: { type: string; object_id: string; payment_id?: string }) => [
      d.type,
      d.object_id,
      d.payment_id,
    ];
    expect((await sim.deliveries(payment.id)).map(summary)).toEqual([
      ["payment.succeeded", payment.id, payment.id],
      ["refund.created", refund.id, payment.id],
      ["refund.succeeded", refund.id, payment.id],
    ]);
    const payoutDeliveries = (await sim.deliveries()).filter((d) => d.object_id === payout.id);
    expect(payoutDeliveries.map(summary)).toEqual([
      ["payout.created", payout.id, undefined],
      ["payout.paid", payout.id, undefined],
    ]);
  });

  it("stamps created with the simulator clock but signs with real time, which receivers check", async () => {
    const receiver = await startReceiver();
    const sim = await startTestSimulator({ webhookUrl: receiver.url });
    sim.advanceClock(DAY_SECONDS * 1000);
    await sim.post("/v1/payouts", { amount: 1, currency: "USD", destination: "ba_1", reference: "r" });
    await waitFor(() => receiver.received.length > 0, "a webhook");
    const { timestamp } = verifySignature(receiver.received[0]!, WEBHOOK_SECRET);
    expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(5);
    expect(Math.abs(receiver.events()[0].created - (Date.now() / 1000 + DAY_SECONDS))).toBeLessThan(5);
  });
});

describe("webhook faults on refund, payout and dispute events", () => {
  it("drop and duplicate them like payment events", async () => {
    const receiver = await startReceiver();
    // refund.created draws 0.1 to drop (dropped); refund.succeeded draws 0.9 to drop (kept), then 0.1 to duplicate (sent twice).
    const sim = await startTestSimulator({ webhookUrl: receiver.url, random: draws(0.1, 0.9, 0.1) });
    const payment = await sim.paidPayment();
    sim.setFaults({ webhook_drop_rate: 0.5, webhook_duplicate_rate: 0.5 });
    const refund = await sim.post("/v1/refunds", { payment: payment.id });
    await waitFor(() => receiver.events().filter((e) => e.type === "refund.succeeded").length === 2, "both copies");

    const refundDeliveries = (await sim.deliveries(payment.id)).filter((d) => d.object_id === refund.id);
    expect(refundDeliveries.map((d) => [d.type, d.dropped, d.duplicate])).toEqual([
      ["refund.created", true, false],
      ["refund.succeeded", false, false],
      ["refund.succeeded", false, true],
    ]);
    expect(receiver.events().some((e) => e.type === "refund.created")).toBe(false);
  });

  it("reorder them: payout.paid can overtake payout.created", async () => {
    const receiver = await startReceiver();
    // payout.created waits floor(0.9 * 201) = 180 ms; payout.paid, published right after, waits 0 ms.
    const sim = await startTestSimulator({
      webhookUrl: receiver.url,
      faults: { webhook_reorder_ms: 200 },
      random: draws(0.9, 0),
    });
    await sim.post("/v1/payouts", { amount: 1, currency: "USD", destination: "ba_1", reference: "r" });
    await waitFor(() => receiver.received.length === 2, "both events");
    expect(receiver.events().map((e) => e.type)).toEqual(["payout.paid", "payout.created"]);
  });

  it("retry them until delivered", async () => {
    const receiver = await startReceiver((attempt) => (attempt === 1 ? 500 : 200));
    const sim = await startTestSimulator({ webhookUrl: receiver.url, webhookRetryBaseMs: 5 });
    const payment = await sim.paidPayment();
    const dispute = await sim.post(`/v1/test_helpers/payments/${payment.id}/dispute`);
    const delivery = await waitFor(
      async () => (await sim.deliveries(payment.id)).find((d) => d.object_id === dispute.id && d.delivered),
      "the dispute event delivered",
    );
    expect(delivery).toMatchObject({ type: "dispute.created", attempts: 2, last_status: 200 });
  });
});
