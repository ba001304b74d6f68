import { fromBinary } from "@bufbuild/protobuf";
import type { NatsConnection } from "@nats-io/transport-node";
import { PaymentEventSchema } from "../../../gen/payment/v1/events_pb.js";
import type { Logger } from "../../lib/log.js";
import type { PaymentChangeSignal } from "../app/payment-watch.js";

/**
 * Hints from the payment events every instance's outbox relay publishes: a plain NATS subscription (no consumer
 * state) on the stream's subjects, fanned out to this instance's watchers.
 */
export function subscribePaymentChanges(
  nc: NatsConnection,
  subjectPrefix: string,
  log: Logger,
): PaymentChangeSignal & { close(): Promise<void> } {
  const watchers = new Map<string, Set<() => void>>();
  const subscription = nc.subscribe(`${subjectPrefix}.payment.>`);
  const done = (async () => {
    for await (const msg of subscription) {
      try {
        watchers.get(fromBinary(PaymentEventSchema, msg.data).paymentId)?.forEach((wake) => wake());
      } catch (err) {
        log.warn("unreadable payment event on the change feed", { subject: msg.subject, error: String(err) });
      }
    }
  })();
  return {
    subscribe(paymentId, wake) {
      const set = watchers.get(paymentId) ?? new Set();
      watchers.set(paymentId, set.add(wake));
      return () => {
        set.delete(wake);
        if (set.size === 0) watchers.delete(paymentId);
      };
    },
    async close() {
      subscription.unsubscribe();
      await done;
    },
  };
}
