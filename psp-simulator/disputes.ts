import type { Clock } from "./clock.js";
import { amountTooLarge, conflict } from "./errors.js";
import { unexpectedState, type Payment } from "./payments.js";
import type { Store } from "./store.js";
import { newId } from "./tokens.js";

export type DisputeStatus = "needs_response" | "won" | "lost";

export const DISPUTE_REASONS = [
  "credit_not_processed",
  "duplicate",
  "fraudulent",
  "general",
  "product_not_received",
  "product_unacceptable",
  "subscription_canceled",
  "unrecognized",
] as const;
export type DisputeReason = (typeof DISPUTE_REASONS)[number];

export interface Dispute {
  id: string;
  payment: Payment;
  amount: number;
  currency: string;
  status: DisputeStatus;
  reason: DisputeReason;
  created: number;
}

export interface NewDispute {
  /** All that was captured and not refunded when null. */
  amount: number | null;
  /** `general` when null. */
  reason: DisputeReason | null;
}

export type DisputeEventType = "dispute.created" | "dispute.closed";

export function disputeObject(dispute: Dispute) {
  return {
    id: dispute.id,
    object: "dispute" as const,
    payment: dispute.payment.id,
    amount: dispute.amount,
    currency: dispute.currency,
    status: dispute.status,
    reason: dispute.reason,
    created: dispute.created,
  };
}

export type DisputeObject = ReturnType<typeof disputeObject>;

export interface DisputesOptions {
  store: Store;
  clock: Clock;
  publish: (type: DisputeEventType, dispute: Dispute) => void;
}

/** Chargebacks: at most one per payment, opened by a test helper or the disputed test card, closed won or lost. */
export class Disputes {
  constructor(private readonly options: DisputesOptions) {}

  open(payment: Payment, input: NewDispute): Dispute {
    if (payment.status !== "succeeded") throw unexpectedState(payment, "be disputed");
    const existing = this.disputeOf(payment);
    if (existing)
      throw conflict("payment_unexpected_state", `Payment ${payment.id} is already disputed (${existing.id}).`);
    const disputable = this.disputable(payment);
    if (disputable === 0) {
      throw conflict(
        "payment_unexpected_state",
        `Payment ${payment.id} has been fully refunded; nothing is left to dispute.`,
      );
    }
    const amount = input.amount ?? disputable;
    if (amount > disputable) {
      throw amountTooLarge(
        "amount",
        amount,
        disputable,
        payment.currency,
        `captured and not refunded on payment ${payment.id}`,
      );
    }

    const dispute: Dispute = {
      id: newId("dp"),
      payment,
      amount,
      currency: payment.currency,
      status: "needs_response",
      reason: input.reason ?? "general",
      created: this.options.clock.seconds(),
    };
    this.options.store.disputes.add(dispute);
    this.options.publish("dispute.created", dispute);
    return dispute;
  }

  close(dispute: Dispute, won: boolean): void {
    if (dispute.status !== "needs_response") {
      throw conflict("dispute_unexpected_state", `Dispute ${dispute.id} is already closed (status ${dispute.status}).`);
    }
    dispute.status = won ? "won" : "lost";
    this.options.publish("dispute.closed", dispute);
  }

  /** Called on every payment status change: a payment made with the disputed test card is disputed once captured. */
  paymentChanged(payment: Payment): void {
    if (payment.status !== "succeeded" || payment.cardQuirk !== "disputed") return;
    this.options.clock.after(0, () => {
      // A full refund or a helper's dispute may have come first.
      if (!this.disputeOf(payment) && this.disputable(payment) > 0)
        this.open(payment, { amount: null, reason: "fraudulent" });
    });
  }

  private disputeOf(payment: Payment): Dispute | undefined {
    return this.options.store.disputes.list((d) => d.payment === payment)[0];
  }

  private disputable(payment: Payment): number {
    return payment.amountCaptured - payment.amountRefunded;
  }
}
