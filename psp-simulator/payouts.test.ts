import { describe, expect, it } from "vitest";
import { DAY_SECONDS, startTestSimulator, type TestSimulator } from "./test-support.js";

const payoutBody = { amount: 12_345, currency: "eur", destination: "ba_seller_1", reference: "payout_1" };

function createPayout(sim: TestSimulator, overrides: Record<string, unknown> = {}, idempotencyKey?: string) {
  return sim.request("POST", "/v1/payouts", { body: { ...payoutBody, ...overrides }, idempotencyKey });
}

describe("POST /v1/payouts", () => {
  it("creates a pending payout that is paid right after", async () => {
    const sim = await startTestSimulator();
    const res = await createPayout(sim, { description: "Week 12", metadata: { seller: "s_1" } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^po_[0-9a-f]+$/),
      object: "payout",
      amount: 12_345,
      currency: "EUR",
      destination: "ba_seller_1",
      reference: "payout_1",
      description: "Week 12",
      metadata: { seller: "s_1" },
      status: "pending",
      failure_code: null,
      failure_message: null,
      arrival_date: res.body.created,
      created: expect.any(Number),
    });
    expect(await sim.waitForStatus(`/v1/payouts/${res.body.id}`, "paid")).toEqual({ ...res.body, status: "paid" });
  });

  it.each([
    ["ba_closed", "account_closed"],
    ["ba_invalid", "invalid_account_number"],
    ["ba_frozen", "account_frozen"],
    ["ba_no_account", "no_account"],
  ])("fails to destination %s with %s", async (destination, failureCode) => {
    const sim = await startTestSimulator();
    const payout = (await createPayout(sim, { destination })).body;
    expect(payout.status).toBe("pending");
    const failed = await sim.waitForStatus(`/v1/payouts/${payout.id}`, "failed");
    expect(failed).toMatchObject({ failure_code: failureCode, failure_message: expect.any(String) });
  });

  it("stays pending for payoutDelayMs of simulator time, with that arrival_date", async () => {
    const sim = await startTestSimulator({ payoutDelayMs: 2 * DAY_SECONDS * 1000 });
    const payout = (await createPayout(sim)).body;
    expect(payout.arrival_date - payout.created).toBeGreaterThanOrEqual(2 * DAY_SECONDS - 1);
    await sim.post("/v1/test_helpers/clock/advance", { seconds: DAY_SECONDS });
    expect((await sim.request("GET", `/v1/payouts/${payout.id}`)).body.status).toBe("pending");
    await sim.post("/v1/test_helpers/clock/advance", { seconds: DAY_SECONDS });
    expect((await sim.request("GET", `/v1/payouts/${payout.id}`)).body.status).toBe("paid");
  });

  it("replays under the same idempotency key without paying out twice", async () => {
    const sim = await startTestSimulator();
    const first = await createPayout(sim, {}, "payout-key");
    const replay = await createPayout(sim, {}, "payout-key");
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.text).toBe(first.text);
    expect((await createPayout(sim, { amount: 1 }, "payout-key")).status).toBe(409);
    expect((await sim.request("GET", "/v1/payouts?reference=payout_1")).body.data).toHaveLength(1);
  });

  it("is subject to fail_after_commit_rate: the payout exists and a retry with the key returns it", async () => {
    const sim = await startTestSimulator({ faults: { fail_after_commit_rate: 1 } });
    expect((await createPayout(sim, {}, "lost-answer")).status).toBe(500);
    sim.setFaults({});
    const retry = await createPayout(sim, {}, "lost-answer");
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect((await sim.request("GET", "/v1/payouts")).body.data).toEqual([
      expect.objectContaining({ id: retry.body.id }),
    ]);
  });

  it.each([
    [{ amount: undefined }, "amount", "parameter_missing"],
    [{ amount: -1 }, "amount", "parameter_invalid"],
    [{ currency: "XAU" }, "currency", "parameter_invalid"],
    [{ currency: "EURO" }, "currency", "parameter_invalid"],
    [{ destination: "" }, "destination", "parameter_missing"],
    [{ destination: 42 }, "destination", "parameter_invalid"],
    [{ reference: undefined }, "reference", "parameter_missing"],
    [{ reference: "r".repeat(256) }, "reference", "parameter_invalid"],
    [{ seller: "s_1" }, "seller", "parameter_unknown"],
  ])("rejects %j with 400 naming the param", async (overrides, param, code) => {
    const sim = await startTestSimulator();
    const res = await createPayout(sim, overrides);
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ type: "invalid_request_error", code, param, message: expect.any(String) });
    expect((await sim.request("GET", "/v1/payouts")).body.data).toEqual([]);
  });
});

describe("GET /v1/payouts", () => {
  it("gets one payout, lists by reference oldest first, and answers 404 for an unknown one", async () => {
    const sim = await startTestSimulator({ payoutDelayMs: 60_000 });
    const first = (await createPayout(sim, { reference: "batch_1" })).body;
    const second = (await createPayout(sim, { reference: "batch_1", currency: "JPY", amount: 500 })).body;
    await createPayout(sim, { reference: "batch_2" });

    expect((await sim.request("GET", `/v1/payouts/${second.id}`)).body).toEqual(second);
    expect((await sim.request("GET", "/v1/payouts?reference=batch_1")).body).toEqual({
      object: "list",
      data: [first, second],
    });
    expect((await sim.request("GET", "/v1/payouts")).body.data).toHaveLength(3);
    expect((await sim.request("GET", "/v1/payouts/po_nope")).status).toBe(404);
  });
});
