import type { Payment, RiskResult } from "../domain/payment.js";
import type { PspPayment } from "../domain/psp-payment.js";
import type { PspRefund } from "../domain/psp-refund.js";
import type { Refund } from "../domain/refund.js";

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
