import { callPsp, json, PspRejection, type PspHttpConfig, type PspRequest } from "../../lib/psp-http.js";
import { PspConflictError, PspRefusedError, type PspPort } from "../app/ports.js";
import type { Payment, RegisteredPayment } from "../domain/payment.js";
import type { PspPayment } from "../domain/psp-payment.js";
import type { Refund } from "../domain/refund.js";
import type { PspRefund } from "../domain/psp-refund.js";
import { parsePspPayment, parsePspRefund } from "./psp-json.js";

/** The PSP's REST API. Every call is retried on timeouts, 429 and 5xx; creation is idempotent on our payment id. */
export class PspHttpClient implements PspPort {
  constructor(private readonly config: PspHttpConfig) {}

  register(payment: Payment): Promise<PspPayment> {
    return this.call(parsePspPayment, "POST", "/v1/payments", payment.id, {
      amount: Number(payment.total),
      currency: payment.currency,
      reference: payment.id,
      description: `checkout ${payment.checkoutId}`,
      metadata: { checkout_id: payment.checkoutId, buyer_id: payment.buyerId },
      // Payments created before status pages existed have none; the PSP then shows no return link.
      ...(payment.statusPageUrl !== "" && { return_url: payment.statusPageUrl }),
      ...(payment.captureMethod === "MANUAL" && { capture_method: "manual" }),
      ...(payment.embedOrigins.length > 0 && { embed_origins: payment.embedOrigins }),
    });
  }

  retrieve(pspPaymentId: string): Promise<PspPayment> {
    return this.call(parsePspPayment, "GET", `/v1/payments/${encodeURIComponent(pspPaymentId)}`);
  }

  capture(payment: RegisteredPayment, amountMinor: bigint): Promise<PspPayment> {
    return this.call(parsePspPayment, "POST", `${this.paymentPath(payment)}/capture`, `capture:${payment.id}`, {
      amount_to_capture: Number(amountMinor),
    });
  }

  cancel(payment: RegisteredPayment): Promise<PspPayment> {
    return this.call(parsePspPayment, "POST", `${this.paymentPath(payment)}/cancel`, `void:${payment.id}`, {});
  }

  abandon(payment: RegisteredPayment): Promise<PspPayment> {
    return this.call(parsePspPayment, "POST", `${this.paymentPath(payment)}/cancel`, `expire:${payment.id}`, {
      cancellation_reason: "abandoned",
    });
  }

  private paymentPath(payment: RegisteredPayment): string {
    return `/v1/payments/${encodeURIComponent(payment.pspPaymentId)}`;
  }

  refund(refund: Refund, pspPaymentId: string): Promise<PspRefund> {
    return this.call(parsePspRefund, "POST", "/v1/refunds", `refund:${refund.refundId}`, {
      payment: pspPaymentId,
      amount: Number(refund.amountMinor),
      currency: refund.currency,
      reason: "requested_by_customer",
      metadata: { refund_id: refund.refundId, payment_id: refund.paymentId, order_id: refund.orderId },
    });
  }

  retrieveRefund(pspRefundId: string): Promise<PspRefund> {
    return this.call(parsePspRefund, "GET", `/v1/refunds/${encodeURIComponent(pspRefundId)}`);
  }

  private async call<T>(
    parse: (json: unknown) => T,
    method: PspRequest["method"],
    path: string,
    idempotencyKey?: string,
    body?: unknown,
  ): Promise<T> {
    try {
      return await callPsp(this.config, { method, path, idempotencyKey, body }, json(parse));
    } catch (err) {
      if (!(err instanceof PspRejection)) throw err;
      if (err.kind === "refused") throw new PspRefusedError(err.detail);
      if (err.kind === "conflict") throw new PspConflictError(`PSP ${method} ${path}: ${err.detail}`, err.code);
      // 401, 404: our configuration or our code is wrong; retrying will not help and the payment must not fail.
      throw new Error(`PSP ${method} ${path} answered HTTP ${err.status}: ${err.detail}`);
    }
  }
}
