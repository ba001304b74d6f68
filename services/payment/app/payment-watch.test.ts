import { describe, expect, it } from "vitest";
import { priceCheckout, validateCheckout } from "../domain/checkout.js";
import { failedBecause, type Payment } from "../domain/payment.js";
import { PaymentWatch, type PaymentChangeSignal } from "./payment-watch.js";
import { checkout } from "./testing/checkout-input.js";
import { InMemoryPayments } from "./testing/in-memory-payments.js";

/** Hints sent by hand; `listening` tells who still listens. */
function handSignal(): PaymentChangeSignal & { hint(paymentId: string): void; listening(paymentId: string): number } {
  const listeners = new Map<string, Set<() => void>>();
  return {
    subscribe(paymentId, wake) {
      const forPayment = listeners.get(paymentId) ?? new Set();
      listeners.set(paymentId, forPayment.add(wake));
      return () => forPayment.delete(wake);
    },
    hint: (paymentId) => {
      for (const wake of listeners.get(paymentId) ?? []) wake();
    },
    listening: (paymentId) => listeners.get(paymentId)?.size ?? 0,
  };
}

const NEVER_MS = 3_600_000;

async function setup({ fallbackPollMs = NEVER_MS, maxWatches = 10 } = {}) {
  const payments = new InMemoryPayments();
  const { id } = await payments.createOrGet(priceCheckout(validateCheckout(checkout()), 250), "fingerprint", {
    id: "pay_1",
    statusPageUrl: "https://pay.example/status/pay_1",
  });
  const signal = handSignal();
  return { id, payments, signal, watch: new PaymentWatch(payments, signal, fallbackPollMs, maxWatches) };
}

const statusOf = (p: IteratorResult<Payment>) => (p.done ? "done" : p.value.status);

describe("PaymentWatch", () => {
  it("shows the payment now, then as of each status change in order, and ends once it is settled", async () => {
    const { id, payments, signal, watch } = await setup();
    const stream = watch.watch(id, new AbortController().signal);
    expect(statusOf(await stream.next())).toBe("NOT_STARTED");

    // Two changes before the watcher looks again: it shows each, the first as of its own time.
    await payments.transition(id, { to: "EXECUTING" });
    await payments.transition(id, failedBecause("the PSP refused the payment: card network unavailable"));
    signal.hint(id);
    const executing = await stream.next();
    expect(executing.value).toMatchObject({
      status: "EXECUTING",
      orders: [{ status: "EXECUTING" }, { status: "EXECUTING" }],
      failure: undefined,
    });
    expect((await stream.next()).value).toMatchObject({
      status: "FAILED",
      failure: { reason: "the PSP refused the payment: card network unavailable" },
    });
    expect(statusOf(await stream.next())).toBe("done");
    expect(signal.listening(id)).toBe(0);
  });

  it("looks again after fallbackPollMs when no hint comes", async () => {
    const { id, payments, signal, watch } = await setup({ fallbackPollMs: 5 });
    const stream = watch.watch(id, new AbortController().signal);
    await stream.next();
    await payments.transition(id, { to: "EXECUTING" });
    expect(statusOf(await stream.next())).toBe("EXECUTING");
    expect(signal.listening(id)).toBe(1);
    await stream.return(undefined);
    expect(signal.listening(id)).toBe(0);
  });

  it("ends when the caller goes away", async () => {
    const { id, signal, watch } = await setup();
    const abort = new AbortController();
    const stream = watch.watch(id, abort.signal);
    await stream.next();
    const next = stream.next();
    abort.abort();
    expect(statusOf(await next)).toBe("done");
    expect(signal.listening(id)).toBe(0);
  });

  it("refuses a payment that does not exist", async () => {
    const { watch } = await setup({ maxWatches: 1 });
    await expect(watch.watch("pay_unknown", new AbortController().signal).next()).rejects.toMatchObject({
      kind: "not_found",
      message: 'payment "pay_unknown" does not exist',
    });
    // The refused watch gave its place back.
    expect(statusOf(await watch.watch("pay_1", new AbortController().signal).next())).toBe("NOT_STARTED");
  });

  it("refuses one watch more than maxWatches, and takes one again when a watch ends", async () => {
    const { id, watch } = await setup({ maxWatches: 1 });
    const first = watch.watch(id, new AbortController().signal);
    await first.next();
    await expect(watch.watch(id, new AbortController().signal).next()).rejects.toMatchObject({
      kind: "resource_exhausted",
    });
    await first.return(undefined);
    expect(statusOf(await watch.watch(id, new AbortController().signal).next())).toBe("NOT_STARTED");
  });
});
