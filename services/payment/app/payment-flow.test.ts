import { describe, expect, it } from "vitest";
import type { PspPort, RiskPort } from "./ports.js";
import { checkout } from "./testing/checkout-input.js";
import { fakePsp, inMemoryFlow, pspView, recordCheckout } from "./testing/in-memory-flow.js";

function setup(ports: { psp?: PspPort; risk?: RiskPort } = {}) {
  const { store, flow } = inMemoryFlow(ports);
  const recorded = (input = checkout()) => recordCheckout(flow, input);
  /** What CreatePayment does, its answer aside (api/create-payment-replay.ts). */
  const create = async (input = checkout()) => flow.advance(await recorded(input));
  return { store, flow, recorded, create };
}

describe("PaymentFlow.createOrGet, then advance", () => {
  it("creates the payment, clears risk and registers it at the PSP", async () => {
    const psp = fakePsp();
    const { store, create } = setup({ psp });
    const answer = await create();
    expect(answer.status).toBe("EXECUTING");
    expect(psp.registered).toEqual([answer.id]);
    expect(await store.get(answer.id)).toMatchObject({
      total: 15_000n,
      pspPaymentId: `psp_${answer.id}`,
      orders: [{ platformFeeMinor: 250n }, { platformFeeMinor: 125n }],
    });
    expect(store.announced).toEqual([{ paymentId: answer.id, status: "EXECUTING" }]);
  });

  it("finds the payment recorded under the same checkout, without registering it again", async () => {
    const psp = fakePsp();
    const { create } = setup({ psp });
    const first = await create();
    expect(await create()).toEqual(first);
    expect(psp.registered).toHaveLength(1);
  });

  it("resumes a payment recorded by an interrupted first attempt", async () => {
    const psp = fakePsp();
    const { recorded, create } = setup({ psp });
    const interrupted = await recorded();
    expect(interrupted.status).toBe("NOT_STARTED");
    expect(await create()).toMatchObject({ id: interrupted.id, status: "EXECUTING" });
    expect(psp.registered).toEqual([interrupted.id]);
  });

  it("refuses the checkout_id of another checkout", async () => {
    const { create } = setup();
    const { id } = await create();
    await expect(create(checkout({ buyerId: "buyer_2" }))).rejects.toMatchObject({
      kind: "already_exists",
      message: `checkout_id "chk_1" was already used for a different checkout (payment ${id}); retry with the identical request, or use a new checkout_id`,
    });
  });

  it("refuses an invalid checkout, naming the field", async () => {
    const { flow } = setup();
    expect(() => flow.validate(checkout({ orders: [] }))).toThrow(
      expect.objectContaining({ kind: "invalid_argument", message: "orders: must contain at least one order" }),
    );
  });

  it("fails a payment risk rejects, and one the PSP refuses", async () => {
    const rejected = setup({
      risk: {
        assess: async () => ({ decision: "REJECT", reasons: [{ code: "velocity", message: "too many attempts" }] }),
      },
    });
    expect(await rejected.create()).toMatchObject({ status: "FAILED" });
    const refused = setup({ psp: fakePsp(true) });
    const { id } = await refused.create();
    expect(await refused.store.get(id)).toMatchObject({
      status: "FAILED",
      failure: { reason: "the PSP refused the payment: card network unavailable for this merchant" },
    });
  });
});

describe("PaymentFlow.applyPspUpdate", () => {
  it("applies a webhook once and moves statuses forward only", async () => {
    const { store, flow, create } = setup();
    const payment = (await store.get((await create()).id))!;
    expect(await flow.applyPspUpdate(pspView(payment, { status: "processing", pendingReason: "three_d_secure" }))).toBe(
      "applied",
    );
    expect(await flow.applyPspUpdate(pspView(payment, { status: "succeeded", amountCapturedMinor: 15_000n }))).toBe(
      "applied",
    );
    expect(await flow.applyPspUpdate(pspView(payment, { status: "succeeded", amountCapturedMinor: 15_000n }))).toBe(
      "unchanged",
    );
    expect(await flow.applyPspUpdate(pspView(payment, { status: "processing" }))).toBe("unchanged");
    expect(await store.get(payment.id)).toMatchObject({ status: "SUCCEEDED", pendingReason: "THREE_D_SECURE" });
  });

  it("leaves alone an update for another payment or amount", async () => {
    const { store, flow, create } = setup();
    const payment = (await store.get((await create()).id))!;
    expect(await flow.applyPspUpdate(pspView(payment, { reference: "pay_unknown" }))).toBe("unknown_payment");
    expect(await flow.applyPspUpdate(pspView(payment, { status: "succeeded", amountMinor: 1n }))).toBe(
      "amount_mismatch",
    );
    expect((await store.get(payment.id))!.status).toBe("EXECUTING");
  });

  it("records a decline with its code", async () => {
    const { store, flow, create } = setup();
    const payment = (await store.get((await create()).id))!;
    expect(
      await flow.applyPspUpdate(
        pspView(payment, { status: "failed", declineCode: "insufficient_funds", failureMessage: "insufficient funds" }),
      ),
    ).toBe("applied");
    expect(await store.get(payment.id)).toMatchObject({
      status: "FAILED",
      failure: { reason: "card declined: insufficient funds", declineCode: "insufficient_funds" },
    });
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
