import type { NatsConnection } from "@nats-io/transport-node";
import { ANY_PAYMENT_EVENT, paymentIdOfEvent } from "../../contracts/events/payment-event.js";
import type { Logger } from "../../lib/log.js";
import type { PaymentChangeSignal } from "../app/payment-watch.js";

/**
 * Hints from the payment events every instance's outbox relay publishes: a plain NATS subscription (no consumer
 * state) on the stream's subjects, fanned out to this instance's watchers. Until it is attached to NATS there are
 * no hints, and watchers fall back to polling.
 */
export class PaymentChangeHints implements PaymentChangeSignal {
  private readonly watchers = new Map<string, Set<() => void>>();

  constructor(private readonly log: Logger) {}

  subscribe(paymentId: string, wake: () => void): () => void {
    const set = this.watchers.get(paymentId) ?? new Set();
    this.watchers.set(paymentId, set.add(wake));
    return () => {
      set.delete(wake);
      if (set.size === 0) this.watchers.delete(paymentId);
    };
  }

  /** Listens on every payment event under `subjectPrefix` until the returned function is called. */
  attach(nc: NatsConnection, subjectPrefix: string): () => Promise<void> {
    const subscription = nc.subscribe(`${subjectPrefix}.${ANY_PAYMENT_EVENT}`);
    const done = (async () => {
      for await (const msg of subscription) {
        try {
          for (const wake of this.watchers.get(paymentIdOfEvent(msg.data)) ?? []) wake();
        } catch (err) {
          this.log.warn("unreadable payment event on the change feed", {
            subject: msg.subject,
            eventId: msg.headers?.get("Nats-Msg-Id") || undefined,
            error: String(err),
          });
        }
      }
    })();
    return async () => {
      subscription.unsubscribe();
      await done;
    };
  }
}
