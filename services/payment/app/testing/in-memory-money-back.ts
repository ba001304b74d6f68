import type { Dispute, DisputeStatus } from "../../domain/dispute.js";
import type { RefundStatus } from "../../domain/refund.js";
import type { Disputes, LockedPayment, PaymentLocks, Refunds, StoredRefund } from "../ports.js";
import type { InMemoryPayments } from "./in-memory-payments.js";

/** Refunds in memory, for unit tests. */
export class InMemoryRefunds implements Refunds {
  readonly byId = new Map<string, StoredRefund>();
  /** The final statuses announced, in order: what the SQL store writes to the outbox. */
  readonly announced: { refundId: string; status: RefundStatus }[] = [];

  async find(refundId: string): Promise<StoredRefund | undefined> {
    return this.byId.get(refundId);
  }

  async ofPayment(paymentId: string): Promise<StoredRefund[]> {
    return [...this.byId.values()].filter((r) => r.paymentId === paymentId);
  }

  async recordPspRefund(refundId: string, pspRefundId: string): Promise<void> {
    const refund = this.byId.get(refundId);
    if (refund && refund.pspRefundId === undefined)
      this.byId.set(refundId, { ...refund, pspRefundId, updatedAt: new Date() });
  }

  async claimStale(): Promise<string[]> {
    return [...this.byId.values()].filter((r) => r.status === "PENDING").map((r) => r.refundId);
  }

  refundedOf(paymentId: string, orderId: string): bigint {
    return [...this.byId.values()]
      .filter((r) => r.paymentId === paymentId && r.orderId === orderId && r.status === "SUCCEEDED")
      .reduce((sum, r) => sum + r.amountMinor, 0n);
  }
}

/** Disputes in memory, for unit tests. */
export class InMemoryDisputes implements Disputes {
  readonly byId = new Map<string, Dispute>();
  /** The statuses announced, in order: what the SQL store writes to the outbox. */
  readonly announced: { disputeId: string; status: DisputeStatus }[] = [];

  async ofPayment(paymentId: string): Promise<Dispute[]> {
    return [...this.byId.values()].filter((d) => d.paymentId === paymentId);
  }

  record(dispute: Dispute): Dispute {
    this.byId.set(dispute.disputeId, dispute);
    this.announced.push({ disputeId: dispute.disputeId, status: dispute.status });
    return dispute;
  }
}

/**
 * PaymentLocks in memory: one unit of work at a time, as the row lock serialises them in SQL. Writes are not
 * rolled back when `work` throws: the flows refuse before they record.
 */
export class InMemoryPaymentLocks implements PaymentLocks {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly payments: InMemoryPayments,
    private readonly refunds: InMemoryRefunds,
    private readonly disputes: InMemoryDisputes,
  ) {}

  withLockedPayment<T>(paymentId: string, work: (locked: LockedPayment) => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => work(this.locked(paymentId, await this.payments.get(paymentId))));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private locked(paymentId: string, payment: LockedPayment["payment"]): LockedPayment {
    const { payments, refunds, disputes } = this;
    return {
      payment,
      refunds: {
        find: (refundId) => refunds.find(refundId),
        ofOrder: async (orderId) => (await refunds.ofPayment(paymentId)).filter((r) => r.orderId === orderId),
        async insert(refund, fingerprint) {
          const now = new Date();
          refunds.byId.set(refund.refundId, {
            ...refund,
            fingerprint,
            status: "PENDING",
            createdAt: now,
            updatedAt: now,
          });
        },
        async settle(refundId, status, { failureReason, platformFeeReversedMinor }) {
          const refund = refunds.byId.get(refundId);
          if (refund?.status !== "PENDING") return undefined;
          const settled = { ...refund, status, failureReason, platformFeeReversedMinor, updatedAt: new Date() };
          refunds.byId.set(refundId, settled);
          refunds.announced.push({ refundId, status });
          return settled;
        },
        refundedOfOrder: async (orderId) => refunds.refundedOf(paymentId, orderId),
        refundedByOrder: async () =>
          new Map(payment!.orders.map((o) => [o.orderId, refunds.refundedOf(paymentId, o.orderId)])),
      },
      disputes: {
        unresolvedOrLost: async () => {
          const found = [...disputes.byId.values()].find(
            (d) => d.paymentId === paymentId && (d.status === "OPEN" || d.status === "LOST"),
          );
          return found && { disputeId: found.disputeId, status: found.status };
        },
        find: async (disputeId) => disputes.byId.get(disputeId),
        async open(dispute) {
          const now = new Date();
          return disputes.record({ ...dispute, paymentId, status: "OPEN", createdAt: now, updatedAt: now });
        },
        async decide(disputeId, status) {
          const dispute = disputes.byId.get(disputeId);
          return dispute?.status === "OPEN"
            ? disputes.record({ ...dispute, status, updatedAt: new Date() })
            : undefined;
        },
      },
      moveOrder: async (orderId, to) => payments.moveOrder(paymentId, orderId, to),
    };
  }
}
