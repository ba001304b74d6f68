import { describe, expect, it } from "vitest";
import { DAY_SECONDS, startTestSimulator, type TestSimulator } from "./test-support.js";

const REFUND_FAILS_CARD = "4000000000005126";

function refund(sim: TestSimulator, body: Record<string, unknown>, idempotencyKey?: string) {
  return sim.request("POST", "/v1/refunds", { body, idempotencyKey });
}

describe("POST /v1/refunds", () => {
  it("refunds everything by default: pending in the answer, succeeded right after", async () => {
    const sim = await startTestSimulator();
    const payment = await sim.paidPayment({ amount: 1000 });
    const res = await refund(sim, {
      payment: payment.id,
      reason: "requested_by_customer",
      metadata: { ticket: "t_1" },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^re_[0-9a-f]+$/),
      object: "refund",
      payment: payment.id,
      amount: 1000,
      currency: "EUR",
      status: "pending",
      reason: "requested_by_customer",
      failure_reason: null,
      metadata: { ticket: "t_1" },
      created: expect.any(Number),
    });
    const done = await sim.waitForStatus(`/v1/refunds/${res.body.id}`, "succeeded");
    expect(done).toEqual({ ...res.body, status: "succeeded" });
    expect((await sim.request("GET", `/v1/payments/${payment.id}`)).body).toMatchObject({
      status: "succeeded",
      amount_refunded: 1000,
    });
  });

  it("allows several partial refunds up to the captured amount, then refuses more", async () => {
    const sim = await startTestSimulator();
    const payment = await sim.paidPayment({ amount: 1000 });
    for (const amount of [300, 200, 500]) {
      const res = await refund(sim, { payment: payment.id, amount });
      expect(res.status).toBe(201);
      await sim.waitForStatus(`/v1/refunds/${res.body.id}`, "succeeded");
    }
    expect((await sim.request("GET", `/v1/payments/${payment.id}`)).body.amount_refunded).toBe(1000);
    const more = await refund(sim, { payment: payment.id, amount: 1 });
    expect(more.status).toBe(409);
    expect(more.body.error).toMatchObject({
      code: "charge_already_refunded",
      message: expect.stringContaining("captured 1000, refunded 1000, pending 0"),
    });
  });

  it("refuses more than remains with 400 amount_too_large, stating what remains", async () => {
    const sim = await startTestSimulator({ refundDelayMs: 60_000 });
    const payment = await sim.paidPayment({ amount: 1000 });
    expect((await refund(sim, { payment: payment.id, amount: 300 })).status).toBe(201);
    const res = await refund(sim, { payment: payment.id, amount: 701 });
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({
      type: "invalid_request_error",
      code: "amount_too_large",
      param: "amount",
      message: `Invalid amount: 701 is more than the 700 (EUR 7.00) left to refund on payment ${payment.id} (captured 1000, refunded 0, pending 300).`,
    });
    // The default is what remains after pending refunds, which do not count in amount_refunded.
    expect((await refund(sim, { payment: payment.id })).body.amount).toBe(700);
    expect((await sim.request("GET", `/v1/payments/${payment.id}`)).body.amount_refunded).toBe(0);
  });

  it("refunds at most what a partial capture took", async () => {
    const sim = await startTestSimulator();
    const payment = await sim.paidPayment({ amount: 1000, capture_method: "manual" });
    await sim.post(`/v1/payments/${payment.id}/capture`, { amount_to_capture: 400 });
    expect((await refund(sim, { payment: payment.id, amount: 401 })).body.error.code).toBe("amount_too_large");
    expect((await refund(sim, { payment: payment.id })).body.amount).toBe(400);
  });

  it("answers 409 for a payment that is not succeeded", async () => {
    const sim = await startTestSimulator();
    const unpaid = (await sim.createPayment()).body;
    const declined = await sim.paidPayment({}, "4000000000000002");
    const authorized = await sim.paidPayment({ capture_method: "manual" });
    for (const payment of [unpaid, declined, authorized]) {
      const res = await refund(sim, { payment: payment.id });
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ type: "invalid_request_error", code: "payment_unexpected_state" });
    }
    expect((await sim.request("GET", "/v1/refunds")).body.data).toEqual([]);
  });

  it("never lets concurrent refunds together exceed the captured amount", async () => {
    const sim = await startTestSimulator({ refundDelayMs: 50 });
    const payment = await sim.paidPayment({ amount: 1000 });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => refund(sim, { payment: payment.id, amount: 150 })),
    );
    const created = answers.filter((a) => a.status === 201);
    expect(created).toHaveLength(6);
    expect(answers.filter((a) => a.status === 400).every((a) => a.body.error.code === "amount_too_large")).toBe(true);

    for (const { body } of created) await sim.waitForStatus(`/v1/refunds/${body.id}`, "succeeded");
    expect((await sim.request("GET", `/v1/payments/${payment.id}`)).body.amount_refunded).toBe(900);
  });

  it(`fails for a payment made with ${REFUND_FAILS_CARD}, giving the amount back to refund`, async () => {
    const sim = await startTestSimulator();
    const payment = await sim.paidPayment({ amount: 1000 }, REFUND_FAILS_CARD);
    expect(payment.status).toBe("succeeded");
    const res = await refund(sim, { payment: payment.id, amount: 400 });
    expect(res.body.status).toBe("pending");
    const failed = await sim.waitForStatus(`/v1/refunds/${res.body.id}`, "failed");
    expect(failed.failure_reason).toBe("expired_or_canceled_card");
    expect((await sim.request("GET", `/v1/payments/${payment.id}`)).body.amount_refunded).toBe(0);
    expect((await refund(sim, { payment: payment.id })).body.amount).toBe(1000);
  });

  it("stays pending for refundDelayMs of simulator time, so advancing the clock resolves it", async () => {
    const sim = await startTestSimulator({ refundDelayMs: 5 * DAY_SECONDS * 1000 });
    const payment = await sim.paidPayment();
    const pending = (await refund(sim, { payment: payment.id })).body;
    await sim.post("/v1/test_helpers/clock/advance", { seconds: 4 * DAY_SECONDS });
    expect((await sim.request("GET", `/v1/refunds/${pending.id}`)).body.status).toBe("pending");
    await sim.post("/v1/test_helpers/clock/advance", { seconds: DAY_SECONDS });
    expect((await sim.request("GET", `/v1/refunds/${pending.id}`)).body.status).toBe("succeeded");
  });

  it("replays under the same idempotency key without refunding twice", async () => {
    const sim = await startTestSimulator();
    const payment = await sim.paidPayment({ amount: 1000 });
    const first = await refund(sim, { payment: payment.id, amount: 100 }, "refund-1");
    const replay = await refund(sim, { payment: payment.id, amount: 100 }, "refund-1");
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.text).toBe(first.text);
    expect((await refund(sim, { payment: payment.id, amount: 200 }, "refund-1")).status).toBe(409);
    expect((await sim.request("GET", `/v1/refunds?payment=${payment.id}`)).body.data).toHaveLength(1);
  });

  it("is subject to the commit faults: after a lost answer, a retry with the key returns the refund made", async () => {
    const sim = await startTestSimulator();
    const payment = await sim.paidPayment({ amount: 1000 });
    sim.setFaults({ fail_before_commit_rate: 1 });
    expect((await refund(sim, { payment: payment.id, amount: 100 }, "retry-me")).status).toBe(500);
    expect((await sim.request("GET", `/v1/refunds?payment=${payment.id}`)).body.data).toEqual([]);

    sim.setFaults({ fail_after_commit_rate: 1 });
    expect((await refund(sim, { payment: payment.id, amount: 100 }, "retry-me")).status).toBe(500);
    sim.setFaults({});
    const retry = await refund(sim, { payment: payment.id, amount: 100 }, "retry-me");
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect((await sim.request("GET", `/v1/refunds?payment=${payment.id}`)).body.data).toEqual([
      expect.objectContaining({ id: retry.body.id }),
    ]);
  });

  it.each([
    [{ amount: 0 }, "amount", "parameter_invalid"],
    [{ amount: 1.5 }, "amount", "parameter_invalid"],
    [{ reason: "changed_mind" }, "reason", "parameter_invalid"],
    [{ currency: "USD" }, "currency", "parameter_invalid"],
    [{ currency: "XAU" }, "currency", "parameter_invalid"],
    [{ metadata: { n: 1 } }, "metadata[n]", "parameter_invalid"],
    [{ charge: "ch_1" }, "charge", "parameter_unknown"],
  ])("rejects %j with 400 naming the param", async (fields, param, code) => {
    const sim = await startTestSimulator();
    const payment = await sim.paidPayment({ currency: "EUR" });
    const res = await refund(sim, { payment: payment.id, ...fields });
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ type: "invalid_request_error", code, param, message: expect.any(String) });
  });

  it("accepts the payment's own currency in any case", async () => {
    const sim = await startTestSimulator();
    const payment = await sim.paidPayment({ currency: "JPY", amount: 5000 });
    const res = await refund(sim, { payment: payment.id, currency: "jpy", amount: 1234 });
    expect(res.body).toMatchObject({ currency: "JPY", amount: 1234 });
  });

  it("names payment when it is missing (400) or unknown (404)", async () => {
    const sim = await startTestSimulator();
    const missing = await refund(sim, { amount: 100 });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ code: "parameter_missing", param: "payment" });
    const unknown = await refund(sim, { payment: "pi_nope" });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: "resource_missing", param: "payment" });
  });
});

describe("GET /v1/refunds", () => {
  it("gets one refund, lists a payment's oldest first, and answers 404 for an unknown one", async () => {
    const sim = await startTestSimulator({ refundDelayMs: 60_000 });
    const a = await sim.paidPayment({ amount: 1000 });
    const b = await sim.paidPayment({ amount: 1000 });
    const first = await sim.post("/v1/refunds", { payment: a.id, amount: 100 });
    const second = await sim.post("/v1/refunds", { payment: a.id, amount: 200 });
    const other = await sim.post("/v1/refunds", { payment: b.id });

    expect((await sim.request("GET", `/v1/refunds/${first.id}`)).body).toEqual(first);
    expect((await sim.request("GET", `/v1/refunds?payment=${a.id}`)).body).toEqual({
      object: "list",
      data: [first, second],
    });
    expect((await sim.request("GET", "/v1/refunds")).body.data.map((r: { id: string }) => r.id)).toEqual([
      first.id,
      second.id,
      other.id,
    ]);
    const missing = await sim.request("GET", "/v1/refunds/re_nope");
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: "resource_missing", param: "id" });
  });
});
