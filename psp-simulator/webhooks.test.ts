import { createHmac } from "node:crypto";
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { signPayload } from "./webhooks.js";
import {
  startReceiver,
  startTestSimulator,
  submitCard,
  verifySignature,
  waitFor,
  WEBHOOK_SECRET,
  type DeliveryInfo,
  type TestSimulator,
} from "./test-support.js";

async function succeededPayment(options: Parameters<typeof startTestSimulator>[0]) {
  const sim = await startTestSimulator(options);
  const payment = (await sim.createPayment()).body;
  await submitCard(sim, payment, { card_number: "4242424242424242" });
  return { sim, payment };
}

function waitForDelivery(sim: TestSimulator, paymentId: string, state: "delivered" | "failed"): Promise<DeliveryInfo> {
  return waitFor(async () => (await sim.deliveries(paymentId)).find((d) => d[state]), `a ${state} delivery`);
}

/** A local port with nothing listening on it. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("signPayload", () => {
  it("is the hex HMAC-SHA256 of `${t}.${body}`", () => {
    const expected = createHmac("sha256", "whsec_x").update('1700000000.{"a":1}').digest("hex");
    expect(signPayload("whsec_x", 1700000000, '{"a":1}')).toBe(expected);
  });
});

describe("webhook delivery", () => {
  it("posts a signed event with a payment snapshot on every status change", async () => {
    const receiver = await startReceiver();
    const sim = await startTestSimulator({ webhookUrl: receiver.url });
    const payment = (await sim.createPayment({ metadata: { order: "o_1" } })).body;
    await submitCard(sim, payment, { card_number: "4000000000004954" });
    await sim.request("POST", `/v1/test_helpers/payments/${payment.id}/review`, { body: { outcome: "reject" } });
    await waitFor(() => receiver.received.length === 2, "two webhooks");

    for (const webhook of receiver.received) {
      const { timestamp } = verifySignature(webhook, WEBHOOK_SECRET);
      expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(5);
      expect(webhook.headers["content-type"]).toBe("application/json");
      expect(() => verifySignature(webhook, "whsec_other")).toThrow("signature mismatch");
    }
    const byType = Object.fromEntries(receiver.events().map((e) => [e.type, e]));
    expect(byType["payment.processing"]).toEqual({
      id: expect.stringMatching(/^evt_/),
      object: "event",
      type: "payment.processing",
      created: expect.any(Number),
      data: {
        object: expect.objectContaining({ id: payment.id, status: "processing", pending_reason: "manual_review" }),
      },
    });
    expect(byType["payment.failed"].data.object).toMatchObject({
      id: payment.id,
      status: "failed",
      decline_code: "fraudulent",
      metadata: { order: "o_1" },
      card: { brand: "visa", last4: "4954" },
    });
  });

  it("retries with exponential backoff after 500s until a 2xx, re-signing every attempt", async () => {
    const receiver = await startReceiver((attempt) => (attempt <= 2 ? 500 : 200));
    const { sim, payment } = await succeededPayment({ webhookUrl: receiver.url, webhookRetryBaseMs: 20 });

    const delivery = await waitForDelivery(sim, payment.id, "delivered");
    expect(delivery).toMatchObject({
      type: "payment.succeeded",
      attempts: 3,
      delivered: true,
      failed: false,
      last_status: 200,
    });

    expect(receiver.received).toHaveLength(3);
    for (const webhook of receiver.received) verifySignature(webhook, WEBHOOK_SECRET);
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
    const [a, b, c] = receiver.received.map((r) => r.receivedAt) as [number, number, number];
    // Delays are 20 ms then 40 ms, each within ±20% jitter (allow 1 ms of timer rounding).
    expect(b - a).toBeGreaterThanOrEqual(20 * 0.8 - 1);
    expect(c - b).toBeGreaterThanOrEqual(40 * 0.8 - 1);
  });

  it("never retries a delivery that got a 2xx", async () => {
    const receiver = await startReceiver(() => 204);
    const { sim, payment } = await succeededPayment({ webhookUrl: receiver.url, webhookRetryBaseMs: 5 });
    await waitForDelivery(sim, payment.id, "delivered");
    // Proving an absence needs a wait: many retry periods (5, 10, 20, 40 ms) pass with nothing more sent.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.received).toHaveLength(1);
    expect(await sim.deliveries(payment.id)).toEqual([expect.objectContaining({ attempts: 1, last_status: 204 })]);
  });

  it("marks a delivery failed after webhookMaxAttempts", async () => {
    const receiver = await startReceiver(() => 503);
    const { sim, payment } = await succeededPayment({
      webhookUrl: receiver.url,
      webhookRetryBaseMs: 2,
      webhookMaxAttempts: 3,
    });
    const delivery = await waitForDelivery(sim, payment.id, "failed");
    expect(delivery).toMatchObject({ attempts: 3, delivered: false, failed: true, last_status: 503 });
    expect(receiver.received).toHaveLength(3);
  });

  it("counts network errors as failed attempts with last_status null", async () => {
    const webhookUrl = `http://127.0.0.1:${await freePort()}/webhooks`;
    const { sim, payment } = await succeededPayment({ webhookUrl, webhookRetryBaseMs: 2, webhookMaxAttempts: 2 });
    const delivery = await waitForDelivery(sim, payment.id, "failed");
    expect(delivery).toMatchObject({ attempts: 2, delivered: false, last_status: null });
  });

  it("does not treat a redirect as delivered", async () => {
    const receiver = await startReceiver((attempt) => (attempt === 1 ? 307 : 200));
    const { sim, payment } = await succeededPayment({ webhookUrl: receiver.url, webhookRetryBaseMs: 2 });
    expect(await waitForDelivery(sim, payment.id, "delivered")).toMatchObject({ attempts: 2, last_status: 200 });
  });

  it("holds events until a webhook URL is set", async () => {
    const { sim, payment } = await succeededPayment({});
    expect(await sim.deliveries(payment.id)).toEqual([
      expect.objectContaining({ attempts: 0, delivered: false, last_status: null }),
    ]);
    const receiver = await startReceiver();
    sim.setWebhookUrl(receiver.url);
    await waitFor(() => receiver.received.length === 1, "held webhook");
    expect(receiver.events()[0].data.object.id).toBe(payment.id);
  });

  it("close() cancels pending retries", async () => {
    const receiver = await startReceiver(() => 500);
    const { sim } = await succeededPayment({ webhookUrl: receiver.url, webhookRetryBaseMs: 30 });
    await waitFor(() => receiver.received.length === 1, "first attempt");
    await sim.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.received).toHaveLength(1);
  });
});
