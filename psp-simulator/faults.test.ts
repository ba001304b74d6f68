import { describe, expect, it } from "vitest";
import { Faults, NO_FAULTS } from "./faults.js";
import { startPspSimulator } from "./server.js";
import {
  API_KEY,
  startReceiver,
  startTestSimulator,
  submitCard,
  verifySignature,
  waitFor,
  WEBHOOK_SECRET,
  type TestSimulator,
} from "./test-support.js";

/** A scripted `random` that fails the test if the simulator draws more numbers than expected. */
function draws(...values: number[]): () => number {
  return () => {
    const value = values.shift();
    if (value === undefined) throw new Error("unexpected random draw");
    return value;
  };
}

const faultsPath = "/v1/test_helpers/faults";
const emptyConfig = { object: "fault_config", ...NO_FAULTS };

/** A payment held for manual review and then approved: a `payment.processing` and then a `payment.succeeded` event. */
async function reviewedPayment(sim: TestSimulator): Promise<{ id: string }> {
  const payment = (await sim.createPayment()).body;
  await submitCard(sim, payment, { card_number: "4000000000004954" });
  await sim.request("POST", `/v1/test_helpers/payments/${payment.id}/review`, { body: { outcome: "approve" } });
  return payment;
}

describe("fault configuration", () => {
  it("is all zeros at first; a POST replaces the whole config and GET returns it", async () => {
    const sim = await startTestSimulator();
    expect((await sim.request("GET", faultsPath)).body).toEqual(emptyConfig);

    const first = { error_rate: 0.5, latency_ms: { min: 1, max: 3 }, webhook_reorder_ms: 10, webhook_drop_rate: 0.1 };
    expect((await sim.request("POST", faultsPath, { body: first })).body).toEqual({ ...emptyConfig, ...first });
    const second = { webhook_duplicate_rate: 0.2, latency_ms: 7 };
    const replaced = await sim.request("POST", faultsPath, { body: second });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toEqual({ ...emptyConfig, ...second });
    expect((await sim.request("GET", faultsPath)).body).toEqual(replaced.body);
  });

  it.each([
    [{ fail_before_commit_rate: -0.1 }, "fail_before_commit_rate", "parameter_invalid"],
    [{ fail_after_commit_rate: 1.5 }, "fail_after_commit_rate", "parameter_invalid"],
    [{ error_rate: "0.5" }, "error_rate", "parameter_invalid"],
    [{ error_rate: null }, "error_rate", "parameter_invalid"],
    [{ webhook_drop_rate: 2 }, "webhook_drop_rate", "parameter_invalid"],
    [{ webhook_duplicate_rate: true }, "webhook_duplicate_rate", "parameter_invalid"],
    [{ latency_ms: -1 }, "latency_ms", "parameter_invalid"],
    [{ latency_ms: 1.5 }, "latency_ms", "parameter_invalid"],
    [{ latency_ms: [1, 2] }, "latency_ms", "parameter_invalid"],
    [{ latency_ms: { max: 5 } }, "latency_ms[min]", "parameter_missing"],
    [{ latency_ms: { min: 5 } }, "latency_ms[max]", "parameter_missing"],
    [{ latency_ms: { min: -1, max: 5 } }, "latency_ms[min]", "parameter_invalid"],
    [{ latency_ms: { min: 10, max: 5 } }, "latency_ms[max]", "parameter_invalid"],
    [{ latency_ms: { min: 1, max: 2, mean: 1 } }, "latency_ms[mean]", "parameter_unknown"],
    [{ webhook_reorder_ms: -5 }, "webhook_reorder_ms", "parameter_invalid"],
    [{ webhook_reorder_ms: 2 ** 31 }, "webhook_reorder_ms", "parameter_invalid"],
    [{ error_rate: 0.1, webhook_loss_rate: 0.1 }, "webhook_loss_rate", "parameter_unknown"],
  ])("rejects %j with 400 naming the param and keeps the previous config", async (body, param, code) => {
    const sim = await startTestSimulator({ faults: { webhook_drop_rate: 0.3 } });
    const res = await sim.request("POST", faultsPath, { body });
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ type: "invalid_request_error", code, param, message: expect.any(String) });
    expect((await sim.request("GET", faultsPath)).body).toEqual({ ...emptyConfig, webhook_drop_rate: 0.3 });
  });

  it("takes the same config from the faults option and setFaults, validated the same way", async () => {
    const sim = await startTestSimulator({ faults: { error_rate: 1 } });
    expect((await sim.request("GET", "/v1/payments")).status).toBe(500);

    sim.setFaults({ webhook_reorder_ms: 5 });
    expect((await sim.request("GET", faultsPath)).body).toEqual({ ...emptyConfig, webhook_reorder_ms: 5 });
    expect(() => sim.setFaults({ error_rate: 2 })).toThrow(expect.objectContaining({ param: "error_rate" }));
    expect((await sim.request("GET", faultsPath)).body).toEqual({ ...emptyConfig, webhook_reorder_ms: 5 });

    const invalid = startPspSimulator({ apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET, faults: { latency_ms: -1 } });
    await expect(invalid).rejects.toMatchObject({ param: "latency_ms" });
  });

  it("belongs to one simulator: faults set on one do not affect another", async () => {
    const [a, b] = [await startTestSimulator(), await startTestSimulator()];
    await a.request("POST", faultsPath, { body: { error_rate: 1 } });
    b.setFaults({ webhook_drop_rate: 1 });

    expect((await a.createPayment()).status).toBe(500);
    expect((await b.createPayment()).status).toBe(201);
    expect((await a.request("GET", faultsPath)).body).toEqual({ ...emptyConfig, error_rate: 1 });
    expect((await b.request("GET", faultsPath)).body).toEqual({ ...emptyConfig, webhook_drop_rate: 1 });
  });
});

describe("Faults draws", () => {
  it("draws nothing for a fault that is off", () => {
    const faults = new Faults(draws());
    expect([faults.failBeforeCommit(), faults.failAfterCommit(), faults.failRequest()]).toEqual([false, false, false]);
    expect([faults.dropWebhook(), faults.duplicateWebhook()]).toEqual([false, false]);
    expect([faults.latencyMs(), faults.webhookReorderMs()]).toEqual([0, 0]);
  });

  it("fires a rate when the draw is below it, and spreads delays over their whole range", () => {
    const faults = new Faults(draws(0.29, 0.3, 0, 0.5, 0.999999, 0, 0.999999));
    faults.set({ ...NO_FAULTS, error_rate: 0.3, latency_ms: { min: 10, max: 20 }, webhook_reorder_ms: 100 });
    expect([faults.failRequest(), faults.failRequest()]).toEqual([true, false]);
    expect([faults.latencyMs(), faults.latencyMs(), faults.latencyMs()]).toEqual([10, 15, 20]);
    expect([faults.webhookReorderMs(), faults.webhookReorderMs()]).toEqual([0, 100]);
  });
});

describe("latency_ms", () => {
  it("delays API answers without holding up other requests", async () => {
    const sim = await startTestSimulator({ faults: { latency_ms: 200 } });
    const answered: string[] = [];
    const timed = async (name: string, request: Promise<{ status: number }>) => {
      const start = performance.now();
      const { status } = await request;
      answered.push(name);
      return { status, elapsed: performance.now() - start };
    };
    const slowGet = timed("GET", sim.request("GET", "/v1/payments"));
    const slowPost = timed("POST", sim.createPayment());
    await timed("helper", sim.request("GET", faultsPath));

    // Allow 1 ms of timer rounding.
    expect(await slowGet).toMatchObject({ status: 200, elapsed: expect.toSatisfy((ms: number) => ms >= 199) });
    expect(await slowPost).toMatchObject({ status: 201, elapsed: expect.toSatisfy((ms: number) => ms >= 199) });
    expect(answered[0]).toBe("helper");
  });

  it("delays only the answer: a request whose client gave up waiting was still carried out", async () => {
    const sim = await startTestSimulator({ faults: { latency_ms: 2000 } });
    const gaveUp = fetch(`${sim.url}/v1/payments`, {
      method: "POST",
      headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ amount: 100, currency: "EUR", reference: "order_slow" }),
      signal: AbortSignal.timeout(200),
    });
    await expect(gaveUp).rejects.toThrow();
    sim.setFaults({});
    expect((await sim.request("GET", "/v1/payments?reference=order_slow")).body.data).toHaveLength(1);
  });
});

describe("error_rate", () => {
  it("at 1, answers every API request with 500 before doing anything; the test helpers still answer", async () => {
    const sim = await startTestSimulator();
    sim.setFaults({ error_rate: 1 });
    for (const res of [
      await sim.request("GET", "/v1/payments"),
      await sim.request("GET", "/v1/payments/pi_unknown"),
      await sim.createPayment({}, "key-1"),
    ]) {
      expect(res.status).toBe(500);
      expect(res.body.error.type).toBe("api_error");
    }
    expect((await sim.request("GET", "/v1/test_helpers/webhook_deliveries")).status).toBe(200);

    sim.setFaults({});
    expect((await sim.request("GET", "/v1/payments")).body.data).toEqual([]);
    const retry = await sim.createPayment({}, "key-1");
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBeNull();
  });

  it("fails each request with its own draw", async () => {
    const sim = await startTestSimulator({ faults: { error_rate: 0.5 }, random: draws(0.7, 0.2) });
    expect((await sim.request("GET", "/v1/payments")).status).toBe(200);
    expect((await sim.request("GET", "/v1/payments")).status).toBe(500);
  });

  it("leaves the simulator's own clock alone: reviewDelayMs still approves a payment in review", async () => {
    const sim = await startTestSimulator({ reviewDelayMs: 20 });
    const payment = (await sim.createPayment()).body;
    await submitCard(sim, payment, { card_number: "4000000000004954" });
    sim.setFaults({ error_rate: 1 });
    await waitFor(
      async () => (await sim.deliveries(payment.id)).some((d) => d.type === "payment.succeeded"),
      "auto approval",
    );
    expect((await sim.request("GET", `/v1/payments/${payment.id}`)).status).toBe(500);
  });
});

describe("webhook faults", () => {
  it("a dropped event is recorded but never sent, not even once a webhook URL is set", async () => {
    // The first event (payment.processing) draws 0.1 < 0.5 and is dropped; the second draws 0.9 and is kept.
    const sim = await startTestSimulator({ faults: { webhook_drop_rate: 0.5 }, random: draws(0.1, 0.9) });
    const payment = await reviewedPayment(sim);
    const receiver = await startReceiver();
    sim.setWebhookUrl(receiver.url);
    await waitFor(() => receiver.received.length === 1, "the kept event");
    // Proving an absence needs a wait.
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(receiver.events().map((e) => e.type)).toEqual(["payment.succeeded"]);
    expect(await sim.deliveries(payment.id)).toEqual([
      expect.objectContaining({
        type: "payment.processing",
        dropped: true,
        attempts: 0,
        delivered: false,
        failed: false,
        last_status: null,
      }),
      expect.objectContaining({ type: "payment.succeeded", dropped: false, attempts: 1, delivered: true }),
    ]);
  });

  it("a duplicated event is delivered twice with the same id, each copy signed and retried on its own", async () => {
    // The receiver fails the first request it gets for the event, whichever copy that is.
    const receiver = await startReceiver((attemptOfEvent) => (attemptOfEvent === 1 ? 500 : 200));
    const sim = await startTestSimulator({
      webhookUrl: receiver.url,
      webhookRetryBaseMs: 5,
      faults: { webhook_duplicate_rate: 1 },
      random: () => 0,
    });
    const payment = (await sim.createPayment()).body;
    await submitCard(sim, payment, { card_number: "4242424242424242" });

    const deliveries = await waitFor(async () => {
      const list = await sim.deliveries(payment.id);
      return list.length === 2 && list.every((d) => d.delivered) ? list : undefined;
    }, "both copies delivered");
    expect(deliveries.map((d) => d.duplicate)).toEqual([false, true]);
    expect(deliveries[0]?.event_id).toBe(deliveries[1]?.event_id);
    expect(deliveries.map((d) => d.attempts).sort()).toEqual([1, 2]);

    expect(receiver.received).toHaveLength(3);
    for (const webhook of receiver.received) verifySignature(webhook, WEBHOOK_SECRET);
    expect(new Set(receiver.events().map((e) => e.id))).toEqual(new Set([deliveries[0]?.event_id]));
  });

  it("webhook_reorder_ms lets a later event overtake an earlier one", async () => {
    const receiver = await startReceiver();
    // payment.processing waits floor(0.9 * 201) = 180 ms; payment.succeeded, published right after it, waits 0 ms.
    const sim = await startTestSimulator({
      webhookUrl: receiver.url,
      faults: { webhook_reorder_ms: 200 },
      random: draws(0.9, 0),
    });
    const payment = await reviewedPayment(sim);
    await waitFor(() => receiver.received.length === 2, "both events");
    expect(receiver.events().map((e) => e.type)).toEqual(["payment.succeeded", "payment.processing"]);
    expect((await sim.deliveries(payment.id)).every((d) => d.delivered && d.attempts === 1)).toBe(true);
  });
});
