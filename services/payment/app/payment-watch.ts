import { notFound, resourceExhausted } from "../../lib/errors.js";
import { present } from "../../lib/invariant.js";
import { asOfStatusChange, isSettled, type Payment } from "../domain/payment.js";
import type { PaymentHistory } from "./ports.js";

/** Tells when a payment may have changed; a hint only, the database says what changed. */
export interface PaymentChangeSignal {
  /** Calls `wake` on every hint about `paymentId` until the returned function is called. */
  subscribe(paymentId: string, wake: () => void): () => void;
}

/** Resolves on the next wake() or after `ms`, whichever comes first; a wake() while nobody waits is kept. */
class Wakeup {
  private pending = false;
  private resolve?: () => void;

  wake = (): void => {
    this.pending = true;
    this.resolve?.();
  };

  async wait(ms: number, abort: AbortSignal): Promise<void> {
    if (!this.pending) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          abort.removeEventListener("abort", done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        abort.addEventListener("abort", done);
        this.resolve = done;
      });
    }
    this.pending = false;
    this.resolve = undefined;
  }
}

/**
 * Streams a payment now and after each of its status changes, in order, until it is settled. Changes come from
 * the status history, so every one is seen whichever instance made it; the signal only says when to look, and a
 * missed signal costs at most `fallbackPollMs` of delay.
 */
export class PaymentWatch {
  private watching = 0;

  /** `maxWatches`: streams open at once on this instance; one more is refused, not queued. */
  constructor(
    private readonly store: PaymentHistory,
    private readonly changes: PaymentChangeSignal,
    private readonly fallbackPollMs: number,
    private readonly maxWatches: number,
  ) {}

  async *watch(paymentId: string, abort: AbortSignal): AsyncGenerator<Payment> {
    if (this.watching >= this.maxWatches) {
      throw resourceExhausted(
        `${this.maxWatches} payments are already being watched on this instance; retry later or poll GetPayment`,
      );
    }
    this.watching++;
    const wakeup = new Wakeup();
    const unsubscribe = this.changes.subscribe(paymentId, wakeup.wake);
    try {
      const start = await this.store.getWithHistoryCursor(paymentId);
      if (!start) throw notFound(`payment "${paymentId}" does not exist`);
      let { payment, cursor } = start;
      yield payment;
      while (!isSettled(payment.status) && !abort.aborted) {
        await wakeup.wait(this.fallbackPollMs, abort);
        const changes = await this.store.statusChangesAfter(paymentId, cursor);
        if (changes.length === 0) continue;
        const now = present(await this.store.get(paymentId), `the watched payment ${paymentId} still exists`);
        for (const change of changes) {
          cursor = change.cursor;
          payment = asOfStatusChange(now, change.status, change.occurredAt);
          yield payment;
          if (isSettled(payment.status)) return;
        }
      }
    } finally {
      unsubscribe();
      this.watching--;
    }
  }
}
