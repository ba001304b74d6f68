import { describe, expect, it } from "vitest";
import {
  DAY_SECONDS,
  getPage,
  pageToken,
  postForm,
  startTestSimulator,
  submitCard,
  type TestSimulator,
} from "./test-support.js";

/** A manual-capture payment of 10.00 EUR, authorized with the default card. */
function authorized(sim: TestSimulator, overrides: Record<string, unknown> = {}) {
  return sim.paidPayment({ amount: 1000, capture_method: "manual", ...overrides });
}

describe("capture_method", () => {
  it("automatic (the default) captures the whole amount on success", async () => {
    const sim = await startTestSimulator();
    const payment = await sim.paidPayment({ amount: 1000 });
    expect(payment).toMatchObject({
      status: "succeeded",
      capture_method: "automatic",
      amount_capturable: 0,
      amount_captured: 1000,
      amount_refunded: 0,
      cancellation_reason: null,
    });
  });

  it("manual leaves a charged card in requires_capture with the amount capturable", async () => {
    const sim = await startTestSimulator();
    const payment = await authorized(sim);
    expect(payment).toMatchObject({
      status: "requires_capture",
      capture_method: "manual",
      amount_capturable: 1000,
      amount_captured: 0,
    });
    expect((await getPage(payment.hosted_page_url)).dataStatus).toBe("requires_capture");
    expect((await sim.deliveries(payment.id)).map((d) => d.type)).toEqual(["payment.requires_capture"]);
  });

  it("manual also holds the authorization after 3-D Secure", async () => {
    const sim = await startTestSimulator();
    const payment = (await sim.createPayment({ capture_method: "manual" })).body;
    await submitCard(sim, payment, { card_number: "4000000000003220" });
    await postForm(`${sim.url}/pay/${payment.id}/3ds`, { token: pageToken(payment), outcome: "approve" });
    expect((await sim.request("GET", `/v1/payments/${payment.id}`)).body).toMatchObject({
      status: "requires_capture",
      pending_reason: null,
    });
  });

  it("rejects an unknown capture_method", async () => {
    const sim = await startTestSimulator();
    const res = await sim.createPayment({ capture_method: "later" });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "parameter_invalid", param: "capture_method" });
  });
});

describe("POST /v1/payments/:id/capture", () => {
  it("captures everything by default", async () => {
    const sim = await startTestSimulator();
    const payment = await authorized(sim);
    const res = await sim.request("POST", `/v1/payments/${payment.id}/capture`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "succeeded", amount: 1000, amount_capturable: 0, amount_captured: 1000 });
    expect((await sim.deliveries(payment.id)).map((d) => d.type)).toEqual([
      "payment.requires_capture",
      "payment.succeeded",
    ]);
  });

  it("captures part and releases the rest", async () => {
    const sim = await startTestSimulator();
    const payment = await authorized(sim);
    const captured = await sim.post(`/v1/payments/${payment.id}/capture`, { amount_to_capture: 600 });
    expect(captured).toMatchObject({ status: "succeeded", amount: 1000, amount_capturable: 0, amount_captured: 600 });
    const again = await sim.request("POST", `/v1/payments/${payment.id}/capture`, { body: { amount_to_capture: 400 } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("payment_unexpected_state");
  });

  it("refuses more than is capturable with 400 naming amount_to_capture, and changes nothing", async () => {
    const sim = await startTestSimulator();
    const payment = await authorized(sim);
    const res = await sim.request("POST", `/v1/payments/${payment.id}/capture`, { body: { amount_to_capture: 1001 } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      type: "invalid_request_error",
      code: "amount_too_large",
      param: "amount_to_capture",
    });
    expect(res.body.error.message).toContain("1000 (EUR 10.00)");
    expect((await sim.request("GET", `/v1/payments/${payment.id}`)).body).toEqual(payment);
  });

  it.each([
    [{ amount_to_capture: 0 }, "amount_to_capture", "parameter_invalid"],
    [{ amount_to_capture: 1.5 }, "amount_to_capture", "parameter_invalid"],
    [{ amount: 100 }, "amount", "parameter_unknown"],
  ])("rejects %j with 400", async (body, param, code) => {
    const sim = await startTestSimulator();
    const payment = await authorized(sim);
    const res = await sim.request("POST", `/v1/payments/${payment.id}/capture`, { body });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code, param });
  });

  it("answers 409 for a payment that is not awaiting capture, and 404 for an unknown one", async () => {
    const sim = await startTestSimulator();
    const automatic = await sim.paidPayment();
    const unpaid = (await sim.createPayment({ capture_method: "manual" })).body;
    for (const id of [automatic.id, unpaid.id]) {
      const res = await sim.request("POST", `/v1/payments/${id}/capture`);
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ type: "invalid_request_error", code: "payment_unexpected_state" });
    }
    expect((await sim.request("POST", "/v1/payments/pi_nope/capture")).body.error).toMatchObject({
      code: "resource_missing",
      param: "id",
    });
  });

  it("replays under the same idempotency key without capturing twice", async () => {
    const sim = await startTestSimulator();
    const payment = await authorized(sim);
    const first = await sim.request("POST", `/v1/payments/${payment.id}/capture`, {
      body: { amount_to_capture: 500 },
      idempotencyKey: "cap-1",
    });
    const replay = await sim.request("POST", `/v1/payments/${payment.id}/capture`, {
      body: { amount_to_capture: 500 },
      idempotencyKey: "cap-1",
    });
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.text).toBe(first.text);
    expect((await sim.deliveries(payment.id)).filter((d) => d.type === "payment.succeeded")).toHaveLength(1);
  });
});

describe("POST /v1/payments/:id/cancel", () => {
  it("voids an authorization", async () => {
    const sim = await startTestSimulator();
    const payment = await authorized(sim);
    const res = await sim.request("POST", `/v1/payments/${payment.id}/cancel`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: "canceled",
      cancellation_reason: "requested_by_customer",
      amount_capturable: 0,
      amount_captured: 0,
    });
    expect((await sim.deliveries(payment.id)).map((d) => d.type)).toEqual([
      "payment.requires_capture",
      "payment.canceled",
    ]);
    expect((await sim.request("POST", `/v1/payments/${payment.id}/capture`)).status).toBe(409);
  });

  it("cancels a payment not paid yet, after which the hosted page refuses the card", async () => {
    const sim = await startTestSimulator();
    const payment = (await sim.createPayment()).body;
    expect((await sim.post(`/v1/payments/${payment.id}/cancel`)).status).toBe("canceled");
    const page = await submitCard(sim, payment, { card_number: "4242424242424242" });
    expect(page.status).toBe(409);
    expect(page.dataStatus).toBe("canceled");
    expect(page.html).toContain("This payment has been canceled.");
  });

  it("answers 409 for a succeeded, failed, processing or canceled payment", async () => {
    const sim = await startTestSimulator();
    const processing = (await sim.createPayment()).body;
    await submitCard(sim, processing, { card_number: "4000000000004954" });
    const canceled = (await sim.createPayment()).body;
    await sim.post(`/v1/payments/${canceled.id}/cancel`);
    const ids = [
      (await sim.paidPayment()).id,
      (await sim.paidPayment({}, "4000000000000002")).id,
      processing.id,
      canceled.id,
    ];
    for (const id of ids) {
      const res = await sim.request("POST", `/v1/payments/${id}/cancel`);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe("payment_unexpected_state");
    }
  });

  it("cancels an abandoned payment once per idempotency key, after which the hosted page says it expired", async () => {
    const sim = await startTestSimulator();
    const payment = (await sim.createPayment()).body;
    const cancel = () =>
      sim.request("POST", `/v1/payments/${payment.id}/cancel`, {
        body: { cancellation_reason: "abandoned" },
        idempotencyKey: "expire-1",
      });
    const [first, second] = await Promise.all([cancel(), cancel()]);
    expect(first.body).toMatchObject({ status: "canceled", cancellation_reason: "abandoned" });
    expect(second.text).toBe(first.text);
    expect((await sim.deliveries(payment.id)).map((d) => d.type)).toEqual(["payment.canceled"]);
    const page = await submitCard(sim, payment, { card_number: "4242424242424242" });
    expect(page.status).toBe(409);
    expect(page.html).toContain("This payment has expired: it was not paid in time.");
  });

  it("refuses to cancel a paid payment as abandoned", async () => {
    const sim = await startTestSimulator();
    const paid = await sim.paidPayment();
    const res = await sim.request("POST", `/v1/payments/${paid.id}/cancel`, {
      body: { cancellation_reason: "abandoned" },
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("payment_unexpected_state");
  });

  it("takes cancellation_reason requested_by_customer or abandoned, nothing else", async () => {
    const sim = await startTestSimulator();
    const payment = await authorized(sim);
    const expired = await sim.request("POST", `/v1/payments/${payment.id}/cancel`, {
      body: { cancellation_reason: "expired" },
    });
    expect(expired.status).toBe(400);
    expect(expired.body.error).toMatchObject({ code: "parameter_invalid", param: "cancellation_reason" });
    const unknown = await sim.request("POST", `/v1/payments/${payment.id}/cancel`, { body: { reason: "abandoned" } });
    expect(unknown.body.error).toMatchObject({ code: "parameter_unknown", param: "reason" });
  });
});

describe("authorization expiry", () => {
  it("cancels an uncaptured authorization as expired once the clock passes 7 days", async () => {
    const sim = await startTestSimulator();
    const payment = await authorized(sim);
    await sim.post("/v1/test_helpers/clock/advance", { seconds: 7 * DAY_SECONDS - 60 });
    expect((await sim.request("GET", `/v1/payments/${payment.id}`)).body.status).toBe("requires_capture");

    await sim.post("/v1/test_helpers/clock/advance", { seconds: 60 });
    const expired = (await sim.request("GET", `/v1/payments/${payment.id}`)).body;
    expect(expired).toMatchObject({ status: "canceled", cancellation_reason: "expired", amount_capturable: 0 });
    const events = (await sim.deliveries(payment.id)).map((d) => d.type);
    expect(events).toEqual(["payment.requires_capture", "payment.canceled"]);
    expect((await sim.request("POST", `/v1/payments/${payment.id}/capture`)).status).toBe(409);
  });

  it("expires on its own after authorizationTtlMs of real time", async () => {
    const sim = await startTestSimulator({ authorizationTtlMs: 30 });
    const payment = await authorized(sim);
    const expired = await sim.waitForStatus(`/v1/payments/${payment.id}`, "canceled");
    expect(expired.cancellation_reason).toBe("expired");
    // Authorized first (a busy machine may pass the 30 ms before the test reads the payment).
    expect((await sim.deliveries(payment.id)).map((d) => d.type)).toEqual([
      "payment.requires_capture",
      "payment.canceled",
    ]);
  });

  it("leaves a captured or voided payment alone", async () => {
    const sim = await startTestSimulator();
    const captured = await authorized(sim);
    const voided = await authorized(sim);
    await sim.post(`/v1/payments/${captured.id}/capture`);
    await sim.post(`/v1/payments/${voided.id}/cancel`);
    sim.advanceClock(8 * DAY_SECONDS * 1000);
    expect((await sim.request("GET", `/v1/payments/${captured.id}`)).body.status).toBe("succeeded");
    expect((await sim.request("GET", `/v1/payments/${voided.id}`)).body.cancellation_reason).toBe(
      "requested_by_customer",
    );
    expect((await sim.deliveries(voided.id)).map((d) => d.type)).toEqual([
      "payment.requires_capture",
      "payment.canceled",
    ]);
  });
});

describe("reviewDelayMs on the simulator clock", () => {
  it("approves a payment in review when the clock is advanced past the delay", async () => {
    const sim = await startTestSimulator({ reviewDelayMs: 60 * 60 * 1000 });
    const payment = (await sim.createPayment()).body;
    await submitCard(sim, payment, { card_number: "4000000000004954" });
    sim.advanceClock(59 * 60 * 1000);
    expect((await sim.request("GET", `/v1/payments/${payment.id}`)).body.status).toBe("processing");
    sim.advanceClock(60 * 1000);
    expect((await sim.request("GET", `/v1/payments/${payment.id}`)).body.status).toBe("succeeded");
  });
});
