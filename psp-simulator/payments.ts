import type { DeclineCode, PendingReason, ValidCard } from "./cards.js";
import type { Store } from "./store.js";
import { newId, newSecret } from "./tokens.js";

export type PaymentStatus = "requires_payment_method" | "processing" | "succeeded" | "failed";

export interface Payment {
  id: string;
  amount: number;
  currency: string;
  status: PaymentStatus;
  reference: string;
  description: string | null;
  metadata: Record<string, string>;
  returnUrl: string | null;
  /** Authorises the hosted page; only ever exposed inside `hosted_page_url`. */
  token: string;
  declineCode: DeclineCode | null;
  failureMessage: string | null;
  pendingReason: PendingReason | null;
  card: { brand: string; last4: string } | null;
  created: number;
}

export interface NewPayment {
  amount: number;
  currency: string;
  reference: string;
  description: string | null;
  metadata: Record<string, string>;
  returnUrl: string | null;
}

/** The request is valid but the payment is not in a state that allows it (answered with 409). */
export class PaymentStateError extends Error {}

const NEXT_STATUSES: Record<PaymentStatus, readonly PaymentStatus[]> = {
  requires_payment_method: ["processing", "succeeded", "failed"],
  processing: ["succeeded", "failed"],
  succeeded: [],
  failed: [],
};

const FAILURE_MESSAGES: Record<DeclineCode, string> = {
  generic_decline: "Your card was declined.",
  insufficient_funds: "Your card has insufficient funds.",
  expired_card: "Your card has expired.",
  incorrect_cvc: "Your card's security code is incorrect.",
  authentication_failed: "The cardholder failed 3-D Secure authentication.",
  fraudulent: "The payment was rejected after manual review.",
};

export function isPendingFor(payment: Payment, reason: PendingReason): boolean {
  return payment.status === "processing" && payment.pendingReason === reason;
}

/** The public JSON representation, used in API responses and webhook events alike. */
export function paymentObject(payment: Payment, baseUrl: string) {
  return {
    id: payment.id,
    object: "payment" as const,
    amount: payment.amount,
    currency: payment.currency,
    status: payment.status,
    reference: payment.reference,
    description: payment.description,
    metadata: payment.metadata,
    return_url: payment.returnUrl,
    hosted_page_url: `${baseUrl}/pay/${payment.id}?token=${encodeURIComponent(payment.token)}`,
    card: payment.card,
    decline_code: payment.declineCode,
    failure_message: payment.failureMessage,
    pending_reason: payment.pendingReason,
    created: payment.created,
  };
}

export type PaymentObject = ReturnType<typeof paymentObject>;

export interface PaymentsOptions {
  /** Called synchronously after every status change, with the payment already updated. */
  onStatusChange: (payment: Payment) => void;
  reviewDelayMs?: number;
}

/** The payment lifecycle: creation, charging a card, and resolving pending payments. */
export class Payments {
  private readonly reviewTimers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly store: Store,
    private readonly options: PaymentsOptions,
  ) {}

  create(input: NewPayment): Payment {
    const payment: Payment = {
      ...input,
      id: newId("pi"),
      status: "requires_payment_method",
      token: newSecret(),
      declineCode: null,
      failureMessage: null,
      pendingReason: null,
      card: null,
      created: Math.floor(Date.now() / 1000),
    };
    this.store.addPayment(payment);
    return payment;
  }

  charge(payment: Payment, card: ValidCard): void {
    if (payment.status !== "requires_payment_method") {
      throw new PaymentStateError(`Payment ${payment.id} has already been submitted (status ${payment.status}).`);
    }
    payment.card = { brand: card.brand, last4: card.last4 };
    const { outcome } = card;
    if (outcome.kind === "succeed") this.succeed(payment);
    else if (outcome.kind === "decline") this.fail(payment, outcome.declineCode);
    else this.hold(payment, outcome.reason);
  }

  completeThreeDSecure(payment: Payment, authenticated: boolean): void {
    this.requirePending(payment, "three_d_secure");
    if (authenticated) this.succeed(payment);
    else this.fail(payment, "authentication_failed");
  }

  resolveReview(payment: Payment, approve: boolean): void {
    this.requirePending(payment, "manual_review");
    if (approve) this.succeed(payment);
    else this.fail(payment, "fraudulent");
  }

  /** Cancels pending automatic review approvals. */
  close(): void {
    for (const timer of this.reviewTimers) clearTimeout(timer);
    this.reviewTimers.clear();
  }

  private requirePending(payment: Payment, reason: PendingReason): void {
    if (!isPendingFor(payment, reason)) {
      throw new PaymentStateError(`Payment ${payment.id} is not pending ${reason.replace(/_/g, " ")} (status ${payment.status}).`);
    }
  }

  private hold(payment: Payment, reason: PendingReason): void {
    this.transition(payment, "processing", { pendingReason: reason });
    const delay = this.options.reviewDelayMs;
    if (reason === "manual_review" && delay !== undefined) {
      const timer = setTimeout(() => {
        this.reviewTimers.delete(timer);
        // The review may have been resolved through the test helper in the meantime.
        if (isPendingFor(payment, "manual_review")) this.resolveReview(payment, true);
      }, delay);
      this.reviewTimers.add(timer);
    }
  }

  private succeed(payment: Payment): void {
    this.transition(payment, "succeeded", { pendingReason: null });
  }

  private fail(payment: Payment, declineCode: DeclineCode): void {
    this.transition(payment, "failed", {
      pendingReason: null,
      declineCode,
      failureMessage: FAILURE_MESSAGES[declineCode],
    });
  }

  private transition(payment: Payment, status: PaymentStatus, changes: Partial<Payment>): void {
    if (!NEXT_STATUSES[payment.status].includes(status)) {
      throw new PaymentStateError(`Payment ${payment.id} cannot go from ${payment.status} to ${status}.`);
    }
    Object.assign(payment, changes, { status });
    this.options.onStatusChange(payment);
  }
}
