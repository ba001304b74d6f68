import { describe, expect, it } from "vitest";
import { createLogger } from "../../lib/log.js";
import type { Payment } from "../domain/payment.js";
import type { PspPayment } from "../domain/psp-payment.js";
import { PaymentFlow } from "./payment-flow.js";
import { PspRefusedError, type PspPort, type RiskPort } from "./ports.js";
import { checkout } from "./testing/checkout-input.js";
import { InMemoryPayments, InMemorySavedResponses } from "./testing/in-memory-payments.js";

const TTL_MS = 60_000;

function pspView(payment: Payment, overrides: Partial<PspPayment> = {}): PspPayment {
  return {
    id: `psp_${payment.id}`,
    reference: payment.id,
    status: "requires_payment_method",
    amountMinor: payment.requestedTotal,
    currency: payment.currency,
    hostedPageUrl: "https://psp.example/pay",
    declineCode: null,
    failureMessage: null,
    amountCapturedMinor: 0n,
    cancellationReason: null,
    pendingReason: null,
    ...overrides,
  };
}

/** A PSP that registers every payment and answers captures in full of what was asked. */
function fakePsp(refuse = false): PspPort & { registered: string[] } {
  const registered: string[] = [];
  const none = () => Promise.reject(new Error("not expected in this test"));
  return {
    registered,
    async register(payment) {
      if (refuse) throw new PspRefusedError("card network unavailable for this merchant");
      registered.push(payment.id);
      return pspView(payment);
    },
    retrieve: none,
    async capture(payment, amountMinor) {
      return pspView(payment, { status: "succeeded", amountCapturedMinor: amountMinor });
    },
    cancel: none,
    abandon: none,
    refund: none,
    retrieveRefund: none,
  };
}

const approve: RiskPort = { assess: async () => ({ decision: "APPROVE", reasons: [] }) };

function setup({ psp = fakePsp(), risk = approve }: { psp?: PspPort; risk?: RiskPort } = {}) {
  const store = new InMemoryPayments();
  const flow = new PaymentFlow({
    store,
    idempotency: new InMemorySavedResponses(TTL_MS),
    risk,
    psp,
    log: createLogger("payment-flow-test"),
    platformFeeBps: 250,
    statusPageUrl: (id) => `https://pay.example/status/${id}`,
    expireUnpaidAfterMs: 3_600_000,
  });
  const create = async (input = checkout()) => JSON.parse(new TextDecoder().decode(await flow.create(input, (p) => new TextEncoder().encode(JSON.stringify({ id: p.id, status: p.status }))))) as { id: string; status: string };
  return { store, flow, create };
}

describe("PaymentFlow.create", () => {
  it("creates the payment, clears risk and registers it at the PSP", async () => {
    const psp = fakePsp();
    const { store, create } = setup({ psp });
    const answer = await create();
    expect(answer.status).toBe("EXECUTING");
    expect(psp.registered).toEqual([answer.id]);
    expect(await store.get(answer.id)).toMatchObject({ total: 15_000n, pspPaymentId: `psp_${answer.id}`, orders: [{ platformFeeMinor: 250n }, { platformFeeMinor: 125n }] });
    expect(store.announced).toEqual([{ paymentId: answer.id, status: "EXECUTING" }]);
  });

  it("replays the first answer to the same checkout, without registering it again", async () => {
    const psp = fakePsp();
    const { create } = setup({ psp });
    const first = await create();
    expect(await create()).toEqual(first);
    expect(psp.registered).toHaveLength(1);
  });

  it("refuses the checkout_id of another checkout", async () => {
    const { create } = setup();
    await create();
    await expect(create(checkout({ buyerId: "buyer_2" }))).rejects.toMatchObject({ kind: "already_exists" });
  });

  it("fails a payment risk rejects, and one the PSP refuses", async () => {
    const rejected = setup({ risk: { assess: async () => ({ decision: "REJECT", reasons: [{ code: "velocity", message: "too many attempts" }] }) } });
    expect(await rejected.create()).toMatchObject({ status: "FAILED" });
    const refused = setup({ psp: fakePsp(true) });
    const { id } = await refused.create();
    expect(await refused.store.get(id)).toMatchObject({ status: "FAILED", failure: { reason: "the PSP refused the payment: card network unavailable for this merchant" } });
  });
});

describe("PaymentFlow.applyPspUpdate", () => {
  it("applies a webhook once and moves statuses forward only", async () => {
    const { store, flow, create } = setup();
    const payment = (await store.get((await create()).id))!;
    expect(await flow.applyPspUpdate(pspView(payment, { status: "processing", pendingReason: "three_d_secure" }))).toBe("applied");
    expect(await flow.applyPspUpdate(pspView(payment, { status: "succeeded", amountCapturedMinor: 15_000n }))).toBe("applied");
    expect(await flow.applyPspUpdate(pspView(payment, { status: "succeeded", amountCapturedMinor: 15_000n }))).toBe("unchanged");
    expect(await flow.applyPspUpdate(pspView(payment, { status: "processing" }))).toBe("unchanged");
    expect(await store.get(payment.id)).toMatchObject({ status: "SUCCEEDED", pendingReason: "THREE_D_SECURE" });
  });

  it("leaves alone an update for another payment or amount", async () => {
    const { store, flow, create } = setup();
    const payment = (await store.get((await create()).id))!;
    expect(await flow.applyPspUpdate(pspView(payment, { reference: "pay_unknown" }))).toBe("unknown_payment");
    expect(await flow.applyPspUpdate(pspView(payment, { status: "succeeded", amountMinor: 1n }))).toBe("amount_mismatch");
    expect((await store.get(payment.id))!.status).toBe("EXECUTING");
  });

  it("records a decline with its code", async () => {
    const { store, flow, create } = setup();
    const payment = (await store.get((await create()).id))!;
    expect(await flow.applyPspUpdate(pspView(payment, { status: "failed", declineCode: "insufficient_funds", failureMessage: "insufficient funds" }))).toBe("applied");
    expect(await store.get(payment.id)).toMatchObject({ status: "FAILED", failure: { reason: "card declined: insufficient funds", declineCode: "insufficient_funds" } });
  });
});

describe("PaymentFlow.capture", () => {
  it("charges a partial capture, its fees at the checkout's rate", async () => {
    const { store, flow, create } = setup();
    const payment = (await store.get((await create(checkout({ captureMethod: "MANUAL" }))).id))!;
    await flow.applyPspUpdate(pspView(payment, { status: "requires_capture" }));
    const captured = await flow.capture(payment.id, [
      { orderId: "ord_a", amount: { amountMinor: 4_000n, currency: "EUR" } },
      { orderId: "ord_b", amount: { amountMinor: 5_000n, currency: "EUR" } },
    ]);
    expect(captured).toMatchObject({ status: "SUCCEEDED", total: 9_000n, requestedTotal: 15_000n });
    expect(captured.orders.map((o) => [o.amountMinor, o.platformFeeMinor, o.requestedMinor])).toEqual([
      [4_000n, 100n, 10_000n],
      [5_000n, 125n, 5_000n],
    ]);
  });
});
