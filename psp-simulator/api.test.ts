import { describe, expect, it } from "vitest";
import { startTestSimulator } from "./test-support.js";

describe("authentication", () => {
  it("rejects /v1 requests without or with a wrong API key", async () => {
    const sim = await startTestSimulator();
    for (const apiKey of [null, "sk_test_wrong"]) {
      const res = await sim.request("GET", "/v1/payments", { apiKey });
      expect(res.status).toBe(401);
      expect(res.body.error.type).toBe("authentication_error");
      expect(res.body.error.message).toEqual(expect.any(String));
    }
    const create = await sim.request("POST", "/v1/payments", {
      apiKey: "sk_test_wrong",
      body: { amount: 100, currency: "EUR", reference: "r" },
    });
    expect(create.status).toBe(401);
    expect((await sim.request("GET", "/v1/payments")).body.data).toEqual([]);
  });
});

describe("POST /v1/payments", () => {
  it("creates a payment that can be retrieved", async () => {
    const sim = await startTestSimulator();
    const created = await sim.createPayment({
      amount: 2500,
      currency: "eur",
      reference: "order_42",
      description: "Two books",
      metadata: { cart: "c_1" },
      return_url: "https://shop.example/return",
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^pi_[0-9a-f]+$/),
      object: "payment",
      amount: 2500,
      currency: "EUR",
      status: "requires_payment_method",
      capture_method: "automatic",
      amount_capturable: 0,
      amount_captured: 0,
      amount_refunded: 0,
      reference: "order_42",
      description: "Two books",
      metadata: { cart: "c_1" },
      return_url: "https://shop.example/return",
      embed_origins: [],
      hosted_page_url: expect.stringMatching(new RegExp(`^${sim.url}/pay/${created.body.id}\\?token=[\\w-]{20,}$`)),
      card: null,
      decline_code: null,
      failure_message: null,
      pending_reason: null,
      cancellation_reason: null,
      created: expect.any(Number),
    });
    expect(Math.abs(created.body.created - Date.now() / 1000)).toBeLessThan(5);

    const fetched = await sim.request("GET", `/v1/payments/${created.body.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(created.body);
  });

  it.each([
    [{ currency: "EUR", reference: "r" }, "amount", "parameter_missing"],
    [{ amount: 0, currency: "EUR", reference: "r" }, "amount", "parameter_invalid"],
    [{ amount: -5, currency: "EUR", reference: "r" }, "amount", "parameter_invalid"],
    [{ amount: 19.99, currency: "EUR", reference: "r" }, "amount", "parameter_invalid"],
    [{ amount: "1999", currency: "EUR", reference: "r" }, "amount", "parameter_invalid"],
    [{ amount: 2 ** 53, currency: "EUR", reference: "r" }, "amount", "parameter_invalid"],
    [{ amount: 100, reference: "r" }, "currency", "parameter_missing"],
    [{ amount: 100, currency: "EURO", reference: "r" }, "currency", "parameter_invalid"],
    [{ amount: 100, currency: "XYZ", reference: "r" }, "currency", "parameter_invalid"],
    [{ amount: 100, currency: "EUR" }, "reference", "parameter_missing"],
    [{ amount: 100, currency: "EUR", reference: "" }, "reference", "parameter_missing"],
    [{ amount: 100, currency: "EUR", reference: "x".repeat(256) }, "reference", "parameter_invalid"],
    [{ amount: 100, currency: "EUR", reference: 7 }, "reference", "parameter_invalid"],
    [{ amount: 100, currency: "EUR", reference: "r", description: 5 }, "description", "parameter_invalid"],
    [{ amount: 100, currency: "EUR", reference: "r", metadata: { n: 1 } }, "metadata[n]", "parameter_invalid"],
    [{ amount: 100, currency: "EUR", reference: "r", metadata: ["a"] }, "metadata", "parameter_invalid"],
    [
      { amount: 100, currency: "EUR", reference: "r", return_url: "javascript:alert(1)" },
      "return_url",
      "parameter_invalid",
    ],
    [{ amount: 100, currency: "EUR", reference: "r", ammount: 100 }, "ammount", "parameter_unknown"],
  ])("rejects %j with 400 naming the param", async (body, param, code) => {
    const sim = await startTestSimulator();
    const res = await sim.request("POST", "/v1/payments", { body });
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ type: "invalid_request_error", code, param, message: expect.any(String) });
    expect((await sim.request("GET", "/v1/payments")).body.data).toEqual([]);
  });

  it("accepts a reference of exactly 255 characters", async () => {
    const sim = await startTestSimulator();
    expect((await sim.createPayment({ reference: "x".repeat(255) })).status).toBe(201);
  });

  it("answers malformed or non-object JSON with 400 and keeps serving", async () => {
    const sim = await startTestSimulator();
    for (const rawBody of ["{", "[1,2]", '"text"']) {
      const res = await sim.request("POST", "/v1/payments", { rawBody });
      expect(res.status).toBe(400);
      expect(res.body.error.type).toBe("invalid_request_error");
    }
    expect((await sim.createPayment()).status).toBe(201);
  });
});

describe("GET /v1/payments", () => {
  it("lists the payments with a given reference", async () => {
    const sim = await startTestSimulator();
    const first = await sim.createPayment({ reference: "order_1" });
    const second = await sim.createPayment({ reference: "order_1", amount: 5 });
    await sim.createPayment({ reference: "order_2" });

    const list = await sim.request("GET", "/v1/payments?reference=order_1");
    expect(list.status).toBe(200);
    expect(list.body.object).toBe("list");
    expect(list.body.data.map((p: { id: string }) => p.id)).toEqual([first.body.id, second.body.id]);
    expect((await sim.request("GET", "/v1/payments?reference=never_sent")).body.data).toEqual([]);
  });

  it("answers 404 resource_missing for an unknown payment and for unknown routes", async () => {
    const sim = await startTestSimulator();
    const res = await sim.request("GET", "/v1/payments/pi_unknown");
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ type: "invalid_request_error", code: "resource_missing", param: "id" });
    expect((await sim.request("DELETE", "/v1/payments")).status).toBe(404);
    expect((await sim.request("GET", "/v1/nothing")).status).toBe(404);
  });
});

describe("test helpers", () => {
  it("review answers 409 for a payment not pending review and 404 for an unknown one", async () => {
    const sim = await startTestSimulator();
    const payment = (await sim.createPayment()).body;
    const conflict = await sim.request("POST", `/v1/test_helpers/payments/${payment.id}/review`, {
      body: { outcome: "approve" },
    });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe("payment_unexpected_state");
    const missing = await sim.request("POST", "/v1/test_helpers/payments/pi_nope/review", {
      body: { outcome: "approve" },
    });
    expect(missing.status).toBe(404);
    const invalid = await sim.request("POST", `/v1/test_helpers/payments/${payment.id}/review`, {
      body: { outcome: "maybe" },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.param).toBe("outcome");
  });
});
