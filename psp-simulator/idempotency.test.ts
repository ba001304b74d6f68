import { describe, expect, it } from "vitest";
import { canonicalJson } from "./idempotency.js";
import { startTestSimulator, submitCard } from "./test-support.js";

const body = { amount: 1000, currency: "USD", reference: "order_idem", metadata: { a: "1", b: "2" } };

describe("Idempotency-Key", () => {
  it("replays the first response for the same key and body without creating a second payment", async () => {
    const sim = await startTestSimulator();
    const first = await sim.createPayment(body, "key-1");
    // Same parameters in a different key order are the same request.
    const replay = await sim.createPayment(
      { metadata: { b: "2", a: "1" }, reference: "order_idem", currency: "USD", amount: 1000 },
      "key-1",
    );

    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.text).toBe(first.text);
    expect((await sim.request("GET", "/v1/payments?reference=order_idem")).body.data).toHaveLength(1);
  });

  it("answers 409 idempotency_error when the key is reused with a different body or path", async () => {
    const sim = await startTestSimulator();
    await sim.createPayment(body, "key-2");
    const differentBody = await sim.createPayment({ ...body, amount: 1001 }, "key-2");
    expect(differentBody.status).toBe(409);
    expect(differentBody.body.error.type).toBe("idempotency_error");
    expect(differentBody.body.error.message).toMatch(/different parameters/);

    const differentPath = await sim.request("POST", "/v1/test_helpers/faults", { body: {}, idempotencyKey: "key-2" });
    expect(differentPath.status).toBe(409);
    expect((await sim.request("GET", "/v1/payments?reference=order_idem")).body.data).toHaveLength(1);
  });

  it("is scoped to the key: another key creates another payment", async () => {
    const sim = await startTestSimulator();
    const a = await sim.createPayment(body, "key-a");
    const b = await sim.createPayment(body, "key-b");
    expect(b.body.id).not.toBe(a.body.id);
  });

  it("replays validation errors too", async () => {
    const sim = await startTestSimulator();
    const invalid = { ...body, amount: -1 };
    const first = await sim.createPayment(invalid, "key-3");
    const replay = await sim.createPayment(invalid, "key-3");
    expect(first.status).toBe(400);
    expect(replay.status).toBe(400);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.text).toBe(first.text);
  });

  it("after a fail-after-commit 500, a retry with the same key returns the payment already created", async () => {
    const sim = await startTestSimulator();
    await sim.request("POST", "/v1/test_helpers/faults", { body: { fail_after_commit_rate: 1 } });

    const failed = await sim.createPayment(body, "key-4");
    expect(failed.status).toBe(500);
    expect(failed.body.error.type).toBe("api_error");
    const committed = (await sim.request("GET", "/v1/payments?reference=order_idem")).body.data;
    expect(committed).toHaveLength(1);

    const retry = await sim.createPayment(body, "key-4");
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.body).toEqual(committed[0]);
    expect((await sim.request("GET", "/v1/payments?reference=order_idem")).body.data).toHaveLength(1);
  });

  it("after a fail-after-commit 500, a retry without a key creates a duplicate (what the fault exposes)", async () => {
    const sim = await startTestSimulator();
    await sim.request("POST", "/v1/test_helpers/faults", { body: { fail_after_commit_rate: 1 } });
    expect((await sim.createPayment(body)).status).toBe(500);
    expect((await sim.createPayment(body)).status).toBe(500);
    expect((await sim.request("GET", "/v1/payments?reference=order_idem")).body.data).toHaveLength(2);
  });

  it("fail-before-commit creates nothing and caches nothing, so a retry with the same key runs again", async () => {
    const sim = await startTestSimulator();
    await sim.request("POST", "/v1/test_helpers/faults", { body: { fail_before_commit_rate: 1 } });
    expect((await sim.createPayment(body, "key-5")).status).toBe(500);
    expect((await sim.request("GET", "/v1/payments?reference=order_idem")).body.data).toEqual([]);

    await sim.request("POST", "/v1/test_helpers/faults", { body: {} });
    const retry = await sim.createPayment(body, "key-5");
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBeNull();
    expect((await sim.request("GET", "/v1/payments?reference=order_idem")).body.data).toHaveLength(1);
  });

  it("does not replay a conflict: once the conflict is gone, a retry with the same key runs again", async () => {
    const sim = await startTestSimulator();
    const payment = (await sim.createPayment()).body;
    const review = () =>
      sim.request("POST", `/v1/test_helpers/payments/${payment.id}/review`, {
        body: { outcome: "approve" },
        idempotencyKey: "key-6",
      });
    expect((await review()).status).toBe(409);
    await submitCard(sim, payment, { card_number: "4000000000004954" });
    const retry = await review();
    expect(retry.status).toBe(200);
    expect(retry.body.status).toBe("succeeded");
  });

  it("rejects an over-long key", async () => {
    const sim = await startTestSimulator();
    const res = await sim.createPayment(body, "k".repeat(256));
    expect(res.status).toBe(400);
    expect((await sim.request("GET", "/v1/payments?reference=order_idem")).body.data).toEqual([]);
  });
});

describe("canonicalJson", () => {
  it("sorts keys at every depth and keeps array order", () => {
    expect(canonicalJson({ b: [2, { d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[2,{"c":2,"d":1}]}');
  });
});
