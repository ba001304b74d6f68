import type { Clock } from "./clock.js";
import { amountTooLarge, conflict, invalidParam } from "./errors.js";
import { unexpectedState, type Payment } from "./payments.js";
import type { Store } from "./store.js";
import { newId } from "./tokens.js";

export type RefundStatus = "pending" | "succeeded" | "failed";

export const REFUND_REASONS = ["duplicate", "fraudulent", "requested_by_customer"] as const;
export type RefundReason = (typeof REFUND_REASONS)[number];

export interface Refund {
  id: string;
  payment: Payment;
  amount: number;
  currency: string;
  status: RefundStatus;
  reason: RefundReason | null;
  failureReason: "expired_or_canceled_card" | null;
  metadata: Record<string, string>;
  created: number;
}

export interface NewRefund {
  /** All that is left when null. */
  amount: number | null;
  /** Must be the payment's when given. */
  currency: string | null;
  reason: RefundReason | null;
  metadata: Record<string, string>;
}

export type RefundEventType = "refund.created" | "refund.succeeded" | "refund.failed";

export function refundObject(refund: Refund) {
  return {
    id: refund.id,
    object: "refund" as const,
    payment: refund.payment.id,
    amount: refund.amount,
    currency: refund.currency,
    status: refund.status,
    reason: refund.reason,
    failure_reason: refund.failureReason,
    metadata: refund.metadata,
    created: refund.created,
  };
}

export type RefundObject = ReturnType<typeof refundObject>;

export interface RefundsOptions {
  store: Store;
  clock: Clock;
  /** How long a refund stays pending. */
  delayMs: number;
  publish: (type: RefundEventType, refund: Refund) => void;
}

/**
 * Refunds of captured payments. A refund holds its amount while pending, so refunds together, even concurrent
 * ones, never exceed what was captured; only succeeded refunds count in the payment's `amount_refunded`.
 */
export class Refunds {
  constructor(private readonly options: RefundsOptions) {}

  create(payment: Payment, input: NewRefund): Refund {
    const { store, clock } = this.options;
    if (payment.status !== "succeeded") throw unexpectedState(payment, "be refunded");
    if (input.currency !== null && input.currency !== payment.currency) {
      throw invalidParam(
        "currency",
        `Invalid currency: ${input.currency} is not the currency of payment ${payment.id} (${payment.currency}).`,
      );
    }
    const dispute = store.disputes.list((d) => d.payment === payment && d.status !== "won")[0];
    if (dispute) {
      throw conflict(
        "charge_disputed",
        `Payment ${payment.id} is disputed (${dispute.id}, ${dispute.status}) and cannot be refunded.`,
      );
    }
    const pending = store.refunds
      .list((r) => r.payment === payment && r.status === "pending")
      .reduce((sum, r) => sum + r.amount, 0);
    const left = payment.amountCaptured - payment.amountRefunded - pending;
    const breakdown = `captured ${payment.amountCaptured}, refunded ${payment.amountRefunded}, pending ${pending}`;
    if (left === 0)
      throw conflict("charge_already_refunded", `Payment ${payment.id} has nothing left to refund (${breakdown}).`);
    const amount = input.amount ?? left;
    if (amount > left)
      throw amountTooLarge(
        "amount",
        amount,
        left,
        payment.currency,
        `left to refund on payment ${payment.id} (${breakdown})`,
      );

    const refund: Refund = {
      id: newId("re"),
      payment,
      amount,
      currency: payment.currency,
      status: "pending",
      reason: input.reason,
      failureReason: null,
      metadata: input.metadata,
      created: clock.seconds(),
    };
    store.refunds.add(refund);
    this.options.publish("refund.created", refund);
    clock.after(this.options.delayMs, () => this.resolve(refund));
    return refund;
  }

  private resolve(refund: Refund): void {
    if (refund.payment.cardQuirk === "refund_fails") {
      Object.assign(refund, { status: "failed", failureReason: "expired_or_canceled_card" });
      this.options.publish("refund.failed", refund);
    } else {
      refund.status = "succeeded";
      refund.payment.amountRefunded += refund.amount;
      this.options.publish("refund.succeeded", refund);
    }
  }
}
