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
  /** Idempotent: "refund:<refund id>" is the PSP idempotency key. */
  refund(refund: Refund, pspPaymentId: string): Promise<PspRefund>;
  retrieveRefund(pspRefundId: string): Promise<PspRefund>;
}

/** The PSP answered that it will not take the payment, whatever the number of retries. */
export class PspRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PspRefusedError";
  }
}
