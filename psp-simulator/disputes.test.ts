import { describe, expect, it } from "vitest";
import { startTestSimulator, waitFor, type TestSimulator } from "./test-support.js";

const DISPUTED_CARD = "4000000000000259";

function openDispute(sim: TestSimulator, paymentId: string, body: Record<string, unknown> = {}) {
  return sim.request("POST", `/v1/test_helpers/payments/${paymentId}/dispute`, { body });
}

function closeDispute(sim: TestSimulator, disputeId: string, outcome: string) {
  return sim.request("POST", `/v1/test_helpers/disputes/${disputeId}/close`, { body: { outcome } });
}

describe("POST /v1/test_helpers/payments/:id/dispute", () => {
  it("opens a dispute for what was captured and not refunded", async () => {
    const sim = await startTestSimulator();
    const payment = await sim.paidPayment({ amount: 1000 });
    const refund = await sim.post("/v1/refunds", { payment: payment.id, amount: 250 });
    await sim.waitForStatus(`/v1/refunds/${refund.id}`, "succeeded");

    const res = await openDispute(sim, payment.id);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^dp_[0-9a-f]+$/),
      object: "dispute",
      payment: payment.id,
      amount: 750,
      currency: "EUR",
      status: "needs_response",
      reason: "general",
      created: expect.any(Number),
    });
    expect((await sim.request("GET", `/v1/disputes/${res.body.id}`)).body).toEqual(res.body);
  });

  it.each([
    ["won", "won"],
    ["lost", "lost"],
  ])("closes %s, once", async (outcome, status) => {
    const sim = await startTestSimulator();
    const payment = await sim.paidPayment();
    const dispute = (await openDispute(sim, payment.id, { amount: 500, reason: "product_not_received" })).body;
    const closed = await closeDispute(sim, dispute.id, outcome);
    expect(closed.status).toBe(200);
    expect(closed.body).toEqual({ ...dispute, status });

    const again = await closeDispute(sim, dispute.id, "won");
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("dispute_unexpected_state");
    expect((await sim.deliveries(payment.id)).map((d) => d.type)).toEqual([
      "payment.succeeded",
      "dispute.created",
      "dispute.closed",
    ]);
  });

  it("blocks refunds while needs_response or lost, not once won", async () => {
    const sim = await startTestSimulator();
    const [lost, won] = [await sim.paidPayment(), await sim.paidPayment()];
    for (const payment of [lost, won]) {
      const dispute = (await openDispute(sim, payment.id)).body;
      const blocked = await sim.request("POST", "/v1/refunds", { body: { payment: payment.id } });
      expect(blocked.status).toBe(409);
      expect(blocked.body.error.code).toBe("charge_disputed");
      await closeDispute(sim, dispute.id, payment === won ? "won" : "lost");
    }
    expect((await sim.request("POST", "/v1/refunds", { body: { payment: lost.id } })).body.error.code).toBe(
      "charge_disputed",
    );
    expect((await sim.request("POST", "/v1/refunds", { body: { payment: won.id } })).status).toBe(201);
  });

  it("answers 409 for a payment not succeeded, already disputed or fully refunded", async () => {
    const sim = await startTestSimulator();
    const unpaid = (await sim.createPayment()).body;
    const disputed = await sim.paidPayment();
    await openDispute(sim, disputed.id);
    const refunded = await sim.paidPayment();
    const refund = await sim.post("/v1/refunds", { payment: refunded.id });
    await sim.waitForStatus(`/v1/refunds/${refund.id}`, "succeeded");

    for (const payment of [unpaid, disputed, refunded]) {
      const res = await openDispute(sim, payment.id);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe("payment_unexpected_state");
    }
  });

  it.each([
    [{ amount: 1000 }, "amount", "amount_too_large"],
    [{ amount: 0 }, "amount", "parameter_invalid"],
    [{ reason: "bored" }, "reason", "parameter_invalid"],
    [{ status: "lost" }, "status", "parameter_unknown"],
  ])("rejects %j with 400 naming the param", async (body, param, code) => {
    const sim = await startTestSimulator();
    const payment = await sim.paidPayment({ amount: 999 });
    const res = await openDispute(sim, payment.id, body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: "invalid_request_error", code, param });
  });

  it("answers 404 for an unknown payment or dispute, and 400 for a bad outcome", async () => {
    const sim = await startTestSimulator();
    expect((await openDispute(sim, "pi_nope")).status).toBe(404);
    expect((await closeDispute(sim, "dp_nope", "won")).status).toBe(404);
    const payment = await sim.paidPayment();
    const dispute = (await openDispute(sim, payment.id)).body;
    const bad = await closeDispute(sim, dispute.id, "draw");
    expect(bad.status).toBe(400);
    expect(bad.body.error.param).toBe("outcome");
  });
});

describe(`test card ${DISPUTED_CARD}`, () => {
  it("succeeds and is disputed as fraudulent right after, for the whole amount", async () => {
    const sim = await startTestSimulator();
    const payment = await sim.paidPayment({ amount: 4200 }, DISPUTED_CARD);
    expect(payment.status).toBe("succeeded");
    const dispute = await waitFor(
      async () => (await sim.request("GET", `/v1/disputes?payment=${payment.id}`)).body.data[0],
      "the dispute",
    );
    expect(dispute).toMatchObject({ amount: 4200, currency: "EUR", status: "needs_response", reason: "fraudulent" });
    expect((await closeDispute(sim, dispute.id, "lost")).body.status).toBe("lost");
  });

  it("is disputed once captured, for the amount captured, when capture is manual", async () => {
    const sim = await startTestSimulator();
    const payment = await sim.paidPayment({ amount: 4200, capture_method: "manual" }, DISPUTED_CARD);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await sim.request("GET", `/v1/disputes?payment=${payment.id}`)).body.data).toEqual([]);
    await sim.post(`/v1/payments/${payment.id}/capture`, { amount_to_capture: 4000 });
    const dispute = await waitFor(
      async () => (await sim.request("GET", `/v1/disputes?payment=${payment.id}`)).body.data[0],
      "the dispute",
    );
    expect(dispute.amount).toBe(4000);
  });
});

describe("GET /v1/disputes", () => {
  it("lists the disputes of a payment, or all", async () => {
    const sim = await startTestSimulator();
    const [a, b] = [await sim.paidPayment(), await sim.paidPayment()];
    const first = (await openDispute(sim, a.id)).body;
    const second = (await openDispute(sim, b.id)).body;
    expect((await sim.request("GET", `/v1/disputes?payment=${a.id}`)).body).toEqual({ object: "list", data: [first] });
    expect((await sim.request("GET", "/v1/disputes")).body.data).toEqual([first, second]);
  });
});
