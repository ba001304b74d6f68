import { present } from "../../lib/invariant.js";
import type { LockedPayment, PaymentLocks } from "../app/ports.js";
import type { DisputeStore } from "./dispute-store.js";
import type { PaymentStore } from "./payment-store.js";
import type { RefundStore } from "./refund-store.js";

/** PaymentLocks on PostgreSQL: the payment's row lock, and the three stores on its one transaction. */
export class SqlPaymentLocks implements PaymentLocks {
  constructor(
    private readonly payments: PaymentStore,
    private readonly refunds: RefundStore,
    private readonly disputes: DisputeStore,
  ) {}

  withLockedPayment<T>(paymentId: string, work: (locked: LockedPayment) => Promise<T>): Promise<T> {
    const { payments, refunds, disputes } = this;
    return payments.withLockedPayment(paymentId, (trx, payment) =>
      work({
        payment,
        refunds: {
          find: (refundId) => refunds.find(refundId, trx),
          ofOrder: (orderId) => refunds.ofOrder(trx, paymentId, orderId),
          insert: (refund, fingerprint) => refunds.insert(trx, refund, fingerprint),
          settle: (refundId, status, outcome) => refunds.settle(trx, refundId, status, outcome),
          refundedOfOrder: (orderId) => refunds.refundedOfOrder(trx, paymentId, orderId),
          refundedByOrder: () => refunds.refundedByOrder(trx, paymentId),
        },
        disputes: {
          unresolvedOrLost: () => disputes.unresolvedOrLost(trx, paymentId),
          find: (disputeId) => disputes.find(trx, disputeId),
          open: (dispute) => disputes.open(trx, { ...dispute, paymentId }),
          decide: (disputeId, status) => disputes.decide(trx, disputeId, status),
        },
        moveOrder: (orderId, to) =>
          payments.moveOrder(
            trx,
            present(payment, `payment ${paymentId} exists to move its order ${orderId}`),
            orderId,
            to,
          ),
      }),
    );
  }
}
