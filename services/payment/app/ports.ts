import type { PricedCheckout } from "../domain/checkout.js";
import type { Payment, RiskResult, StatusChange } from "../domain/payment.js";
import type { PspPayment } from "../domain/psp-payment.js";
import type { PspRefund } from "../domain/psp-refund.js";
import type { Refund } from "../domain/refund.js";
import type { CapturePlan } from "../domain/transition.js";

export interface RiskPort {
  /** Idempotent on the payment id. */
  assess(payment: Payment): Promise<RiskResult>;
}

export interface PspPort {
  /** Idempotent: our payment id is the PSP idempotency key. The PSP sends the buyer back to its status page. */
  register(payment: Payment): Promise<PspPayment>;
  retrieve(pspPaymentId: string): Promise<PspPayment>;
  /** Idempotent: "capture:<payment id>" is the PSP idempotency key. */
  capture(payment: Payment, amountMinor: bigint): Promise<PspPayment>;
  /** Idempotent: "void:<payment id>" is the PSP idempotency key. */
  cancel(payment: Payment): Promise<PspPayment>;
  /** Cancels a payment its buyer never paid, as abandoned. Idempotent: "expire:<payment id>" is the PSP idempotency key. */
  abandon(payment: Payment): Promise<PspPayment>;
  /** Idempotent: "refund:<refund id>" is the PSP idempotency key. */
  refund(refund: Refund, pspPaymentId: string): Promise<PspRefund>;
  retrieveRefund(pspRefundId: string): Promise<PspRefund>;
}

/** The PSP answered that the object is not in a state for this (HTTP 409): e.g. voiding a payment just paid. */
export class PspConflictError extends Error {
  constructor(
    message: string,
    /** The PSP's error code, e.g. "charge_disputed". */
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = "PspConflictError";
  }
}

/** The PSP answered that it will not take the payment, whatever the number of retries. */
export class PspRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PspRefusedError";
  }
}

/** The payments the pay-in use cases load and move; each call commits on its own, under the payment's lock. */
export interface PaymentRepository {
  /** Records a new checkout, or finds the one recorded under its checkout_id (refused when its fingerprint differs). */
  createOrGet(checkout: PricedCheckout, fingerprint: string, newPayment: { id: string; statusPageUrl: string }): Promise<Payment>;
  get(paymentId: string): Promise<Payment | undefined>;
  /** Records the risk answer once; false when one was recorded first. */
  recordRisk(paymentId: string, risk: RiskResult): Promise<boolean>;
  /** False when the payment was not waiting for a review. */
  recordReview(paymentId: string, review: NonNullable<RiskResult["review"]>): Promise<boolean>;
  /** NOT_STARTED -> EXECUTING with the PSP's ids; undefined when it was past NOT_STARTED. */
  recordRegistration(paymentId: string, psp: PspPayment): Promise<Payment | undefined>;
  /** Applies the domain's moveTo with the payment's history row and event; false when the state machine refuses. */
  transition(paymentId: string, change: StatusChange): Promise<boolean>;
  claimStale(staleAfterMs: number, limit: number): Promise<string[]>;
  /** False when the payment is not AUTHORIZED or another plan is under way. */
  recordCapturePlan(paymentId: string, plan: CapturePlan): Promise<boolean>;
  plannedCapture(paymentId: string): Promise<bigint | undefined>;
}

export interface SavedResponse {
  fingerprint: string;
  paymentId: string;
  body: Uint8Array;
  createdAt: Date;
  expired: boolean;
}

/** CreatePayment's first answer, kept under its checkout_id for `ttlMs`. */
export interface SavedResponses {
  readonly ttlMs: number;
  recall(key: string): Promise<SavedResponse | undefined>;
  /** Saves the first response under `key`; whoever comes second gets the first one back. */
  remember(key: string, fingerprint: string, paymentId: string, body: Uint8Array): Promise<Uint8Array>;
}
