import type { CardQuirk, DeclineCode, PendingReason, ValidCard } from "./cards.js";
import type { Clock } from "./clock.js";
import { amountTooLarge, conflict, type ApiError } from "./errors.js";
import type { Store } from "./store.js";
import { newId, newSecret } from "./tokens.js";

export type PaymentStatus =
  | "requires_payment_method"
  | "processing"
  | "requires_capture"
  | "succeeded"
  | "failed"
  | "canceled";

export type CaptureMethod = "automatic" | "manual";

/** The reasons a caller may give when canceling; the PSP itself cancels an authorization not captured as `expired`. */
export const CANCEL_REASONS = ["requested_by_customer", "abandoned"] as const;

export type CancellationReason = (typeof CANCEL_REASONS)[number] | "expired";

export interface Payment {
  id: string;
  amount: number;
  currency: string;
  status: PaymentStatus;
  captureMethod: CaptureMethod;
  /** The authorized amount while in `requires_capture`, else 0. */
  amountCapturable: number;
  amountCaptured: number;
  /** The sum of the succeeded refunds. */
  amountRefunded: number;
  /** The PSP's processing fee on what was captured; null until charged. Refunds do not return it. */
  fee: number | null;
  reference: string;
  description: string | null;
  metadata: Record<string, string>;
  returnUrl: string | null;
  /** The merchant origins that may frame the hosted page; empty: none may. */
  embedOrigins: string[];
  /** Authorises the hosted page; only ever exposed inside `hosted_page_url`. */
  token: string;
  declineCode: DeclineCode | null;
  failureMessage: string | null;
  pendingReason: PendingReason | null;
  cancellationReason: CancellationReason | null;
  card: { brand: string; last4: string } | null;
  /** Never exposed: what the test card makes happen later. */
  cardQuirk: CardQuirk | null;
  created: number;
}

export interface NewPayment {
  amount: number;
  currency: string;
  captureMethod: CaptureMethod;
  reference: string;
  description: string | null;
  metadata: Record<string, string>;
  returnUrl: string | null;
  embedOrigins: string[];
}

const NEXT_STATUSES: Record<PaymentStatus, readonly PaymentStatus[]> = {
  requires_payment_method: ["processing", "requires_capture", "succeeded", "failed", "canceled"],
  processing: ["requires_capture", "succeeded", "failed"],
  requires_capture: ["succeeded", "canceled"],
  succeeded: [],
  failed: [],
  canceled: [],
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

/** The answer to a request that the payment's status does not allow. */
export function unexpectedState(payment: Payment, action: string): ApiError {
  return conflict("payment_unexpected_state", `Payment ${payment.id} cannot ${action} (status ${payment.status}).`);
}

/** The public JSON representation, used in API responses and webhook events alike. */
export function paymentObject(payment: Payment, baseUrl: string) {
  return {
    id: payment.id,
    object: "payment" as const,
    amount: payment.amount,
    currency: payment.currency,
    status: payment.status,
    capture_method: payment.captureMethod,
    amount_capturable: payment.amountCapturable,
    amount_captured: payment.amountCaptured,
    amount_refunded: payment.amountRefunded,
    reference: payment.reference,
    description: payment.description,
    metadata: payment.metadata,
    return_url: payment.returnUrl,
    embed_origins: payment.embedOrigins,
    hosted_page_url: `${baseUrl}/pay/${payment.id}?token=${encodeURIComponent(payment.token)}`,
    card: payment.card,
    decline_code: payment.declineCode,
    failure_message: payment.failureMessage,
    pending_reason: payment.pendingReason,
    cancellation_reason: payment.cancellationReason,
    created: payment.created,
    // Only once charged, so the object of a payment not charged is exactly as before fees existed.
    ...(payment.fee === null ? {} : { fee: payment.fee }),
  };
}

export type PaymentObject = ReturnType<typeof paymentObject>;

export interface PaymentsOptions {
  clock: Clock;
  /** Called synchronously after every status change, with the payment already updated. */
  onStatusChange: (payment: Payment) => void;
  reviewDelayMs?: number;
  /** How long an authorization can be captured before it is canceled as `expired`. */
  authorizationTtlMs: number;
  /** The processing fee on a charge of `amount`. */
  chargeFee: (amount: number, currency: string) => number;
}

/** The payment lifecycle: creation, charging a card, resolving pending payments, capture and cancellation. */
export class Payments {
  constructor(
    private readonly store: Store,
    private readonly options: PaymentsOptions,
  ) {}

  create(input: NewPayment): Payment {
    const payment: Payment = {
      ...input,
      id: newId("pi"),
      status: "requires_payment_method",
      amountCapturable: 0,
      amountCaptured: 0,
      amountRefunded: 0,
      fee: null,
      token: newSecret(),
      declineCode: null,
      failureMessage: null,
      pendingReason: null,
      cancellationReason: null,
      card: null,
      cardQuirk: null,
      created: this.options.clock.seconds(),
    };
    this.store.payments.add(payment);
    return payment;
  }

  charge(payment: Payment, card: ValidCard): void {
    if (payment.status !== "requires_payment_method") {
      throw conflict(
        "payment_unexpected_state",
        `Payment ${payment.id} has already been submitted (status ${payment.status}).`,
      );
    }
    payment.card = { brand: card.brand, last4: card.last4 };
    const { outcome } = card;
    if (outcome.kind === "succeed") {
      payment.cardQuirk = outcome.quirk ?? null;
      this.approve(payment);
    } else if (outcome.kind === "decline") this.fail(payment, outcome.declineCode);
    else this.hold(payment, outcome.reason);
  }

  completeThreeDSecure(payment: Payment, authenticated: boolean): void {
    this.requirePending(payment, "three_d_secure");
    if (authenticated) this.approve(payment);
    else this.fail(payment, "authentication_failed");
  }

  resolveReview(payment: Payment, approve: boolean): void {
    this.requirePending(payment, "manual_review");
    if (approve) this.approve(payment);
    else this.fail(payment, "fraudulent");
  }

  /** Captures all or part of an authorization; the rest is released. */
  capture(payment: Payment, amountToCapture: number | null): void {
    if (payment.status !== "requires_capture") throw unexpectedState(payment, "be captured");
    const amount = amountToCapture ?? payment.amountCapturable;
    if (amount > payment.amountCapturable) {
      throw amountTooLarge(
        "amount_to_capture",
        amount,
        payment.amountCapturable,
        payment.currency,
        `authorized on payment ${payment.id}`,
      );
    }
    this.succeed(payment, amount, { amountCapturable: 0 });
  }

  /** Voids a payment not paid yet, or an uncaptured authorization. */
  cancel(payment: Payment, reason: (typeof CANCEL_REASONS)[number]): void {
    if (payment.status !== "requires_payment_method" && payment.status !== "requires_capture")
      throw unexpectedState(payment, "be canceled");
    this.void(payment, reason);
  }

  private requirePending(payment: Payment, reason: PendingReason): void {
    if (!isPendingFor(payment, reason)) {
      throw conflict(
        "payment_unexpected_state",
        `Payment ${payment.id} is not pending ${reason.replace(/_/g, " ")} (status ${payment.status}).`,
      );
    }
  }

  private hold(payment: Payment, reason: PendingReason): void {
    this.transition(payment, "processing", { pendingReason: reason });
    const delay = this.options.reviewDelayMs;
    if (reason === "manual_review" && delay !== undefined) {
      // The review may have been resolved through the test helper in the meantime.
      this.options.clock.after(delay, () => {
        if (isPendingFor(payment, "manual_review")) this.resolveReview(payment, true);
      });
    }
  }

  /** The card was charged: capture at once, or hold the authorization until captured, voided or expired. */
  private approve(payment: Payment): void {
    if (payment.captureMethod === "automatic") {
      this.succeed(payment, payment.amount, { pendingReason: null });
      return;
    }
    this.transition(payment, "requires_capture", { pendingReason: null, amountCapturable: payment.amount });
    this.options.clock.after(this.options.authorizationTtlMs, () => {
      if (payment.status === "requires_capture") this.void(payment, "expired");
    });
  }

  /** The money is taken: `amount` is captured and the fee on it charged. */
  private succeed(payment: Payment, amount: number, changes: Partial<Payment>): void {
    this.transition(payment, "succeeded", {
      ...changes,
      amountCaptured: amount,
      fee: this.options.chargeFee(amount, payment.currency),
    });
  }

  private void(payment: Payment, reason: CancellationReason): void {
    this.transition(payment, "canceled", { amountCapturable: 0, cancellationReason: reason });
  }

  private fail(payment: Payment, declineCode: DeclineCode): void {
    this.transition(payment, "failed", {
      pendingReason: null,
      declineCode,
      failureMessage: FAILURE_MESSAGES[declineCode],
    });
  }

  private transition(payment: Payment, status: PaymentStatus, changes: Partial<Payment>): void {
    if (!NEXT_STATUSES[payment.status].includes(status)) throw unexpectedState(payment, `go to ${status}`);
    Object.assign(payment, changes, { status });
    this.options.onStatusChange(payment);
  }
}
