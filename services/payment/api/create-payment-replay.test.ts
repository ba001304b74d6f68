import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Payment } from "../domain/payment.js";
import { checkout } from "../app/testing/checkout-input.js";
import { fakePsp, inMemoryFlow, pspView, recordCheckout } from "../app/testing/in-memory-flow.js";
import { CreatePaymentReplay } from "./create-payment-replay.js";
import { InMemorySavedResponses } from "./testing/in-memory-saved-responses.js";

const TTL_MS = 60_000;
const T0 = new Date("2026-03-01T10:00:00.000Z");

/** The edge on in-memory ports; each answer it encodes is numbered, so that a replay is told from a new answer. */
function setup() {
  const psp = fakePsp();
  const { store, flow } = inMemoryFlow({ psp });
  let encoded = 0;
  const encode = (p: Payment) =>
    new TextEncoder().encode(JSON.stringify({ id: p.id, status: p.status, answer: ++encoded }));
  const replay = new CreatePaymentReplay(flow, new InMemorySavedResponses(TTL_MS), encode);
  const answer = async (input = checkout()) =>
    JSON.parse(new TextDecoder().decode(await replay.answer(input))) as { id: string; status: string; answer: number };
  /** A first attempt that recorded the payment and stopped before its answer was saved. */
  const interrupted = () => recordCheckout(flow);
  return { psp, store, flow, replay, answer, interrupted };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

describe("CreatePaymentReplay", () => {
  it("runs the use case once and replays its saved bytes as they are, after the payment moved on", async () => {
    const { psp, store, flow, replay, answer } = setup();
    const first = await replay.answer(checkout());
    const { id } = JSON.parse(new TextDecoder().decode(first));
    expect(JSON.parse(new TextDecoder().decode(first))).toEqual({ id, status: "EXECUTING", answer: 1 });

    await flow.applyPspUpdate(pspView((await store.get(id))!, { status: "succeeded", amountCapturedMinor: 15_000n }));
    vi.setSystemTime(T0.getTime() + TTL_MS - 1);
    expect(await replay.answer(checkout())).toEqual(first);
    expect(await answer()).toEqual({ id, status: "EXECUTING", answer: 1 });
    expect(psp.registered).toEqual([id]);
  });

  it("answers concurrent first attempts with the answer saved first", async () => {
    const { psp, answer } = setup();
    const [a, b] = await Promise.all([answer(), answer()]);
    expect(b).toEqual(a);
    expect(a).toMatchObject({ status: "EXECUTING", answer: 1 });
    // Both registered the one payment: the PSP's idempotency key (our payment id) makes that one PSP payment.
    expect(new Set(psp.registered)).toEqual(new Set([a.id]));
  });

  it("refuses another request under a used checkout_id, naming the payment, whether its answer was saved or not", async () => {
    const saved = setup();
    const { id } = await saved.answer();
    const refusal = (paymentId: string) => ({
      kind: "already_exists",
      message: `checkout_id "chk_1" was already used for a different checkout (payment ${paymentId}); retry with the identical request, or use a new checkout_id`,
    });
    await expect(saved.answer(checkout({ buyerId: "buyer_2" }))).rejects.toMatchObject(refusal(id));

    const unsaved = setup();
    const recorded = await unsaved.interrupted();
    await expect(unsaved.answer(checkout({ buyerId: "buyer_2" }))).rejects.toMatchObject(refusal(recorded.id));
  });

  it("refuses an invalid request before looking anything up", async () => {
    const { answer } = setup();
    await expect(answer(checkout({ checkoutId: "" }))).rejects.toMatchObject({
      kind: "invalid_argument",
      message: "checkout_id: is required",
    });
  });

  it("resumes an interrupted first attempt while its key lives", async () => {
    const { psp, answer, interrupted } = setup();
    const recorded = await interrupted();
    vi.setSystemTime(T0.getTime() + TTL_MS);
    expect(await answer()).toEqual({ id: recorded.id, status: "EXECUTING", answer: 1 });
    expect(psp.registered).toEqual([recorded.id]);
  });

  it("refuses the checkout once its key expired: saved answer or not, it is never taken further", async () => {
    const expired = (paymentId: string) => ({
      kind: "already_exists",
      message:
        `checkout_id "chk_1" was used on ${T0.toISOString()} for payment ${paymentId}, and its idempotency key has expired: the first answer is ` +
        "no longer replayed and the checkout is never charged twice. Read the payment with GetPayment",
    });
    const saved = setup();
    const { id } = await saved.answer();
    vi.setSystemTime(T0.getTime() + TTL_MS);
    await expect(saved.answer()).rejects.toMatchObject(expired(id));

    vi.setSystemTime(T0);
    const unsaved = setup();
    const recorded = await unsaved.interrupted();
    vi.setSystemTime(T0.getTime() + TTL_MS + 1);
    await expect(unsaved.answer()).rejects.toMatchObject(expired(recorded.id));
    expect(unsaved.psp.registered).toEqual([]);
    expect((await unsaved.store.get(recorded.id))!.status).toBe("NOT_STARTED");
  });
});
