import { unavailable } from "../../lib/errors.js";
import { retry, type RetryPolicy, defaultRetryPolicy } from "../../lib/retry.js";
import { PspConflictError, PspRefusedError, type PspPort } from "../app/ports.js";
import type { Payment } from "../domain/payment.js";
import type { PspPayment } from "../domain/psp-payment.js";
import type { Refund } from "../domain/refund.js";
import type { PspRefund } from "../domain/psp-refund.js";
import { parsePspPayment, parsePspRefund } from "./psp-json.js";

class TransientPspError extends Error {}

export interface PspClientConfig {
  baseUrl: string;
  apiKey: string;
  retry?: RetryPolicy;
  timeoutMs?: number;
}

/** The PSP's REST API. Every call is retried on timeouts, 429 and 5xx; creation is idempotent on our payment id. */
export class PspHttpClient implements PspPort {
  constructor(private readonly config: PspClientConfig) {}

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

  capture(payment: Payment, amountMinor: bigint): Promise<PspPayment> {
    return this.call(parsePspPayment, "POST", `${this.paymentPath(payment)}/capture`, `capture:${payment.id}`, { amount_to_capture: Number(amountMinor) });
  }

  cancel(payment: Payment): Promise<PspPayment> {
    return this.call(parsePspPayment, "POST", `${this.paymentPath(payment)}/cancel`, `void:${payment.id}`, {});
  }

  abandon(payment: Payment): Promise<PspPayment> {
    return this.call(parsePspPayment, "POST", `${this.paymentPath(payment)}/cancel`, `expire:${payment.id}`, { cancellation_reason: "abandoned" });
  }

  private paymentPath(payment: Payment): string {
    return `/v1/payments/${encodeURIComponent(payment.pspPaymentId!)}`;
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

  private async call<T>(parse: (json: unknown) => T, method: string, path: string, idempotencyKey?: string, body?: unknown): Promise<T> {
    try {
      return await retry(
        () => this.once(parse, method, path, idempotencyKey, body),
        (err) => err instanceof TransientPspError,
        this.config.retry ?? defaultRetryPolicy,
      );
    } catch (err) {
      if (err instanceof TransientPspError) throw unavailable(`the PSP is not answering (${err.message}); retry later`);
      throw err;
    }
  }

  private async once<T>(parse: (json: unknown) => T, method: string, path: string, idempotencyKey?: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(new URL(path, this.config.baseUrl), {
        method,
        headers: {
          authorization: `Bearer ${this.config.apiKey}`,
          ...(body !== undefined && { "content-type": "application/json" }),
          ...(idempotencyKey && { "idempotency-key": idempotencyKey }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.config.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new TransientPspError(`${method} ${path}: ${(err as Error).message}`);
    }
    const json: unknown = await res.json().catch(() => undefined);
    if (res.ok) return parse(json);
    const error = (json as { error?: { message?: string; code?: string | null } } | undefined)?.error;
    const message = error?.message ?? res.statusText;
    if (res.status === 429 || res.status >= 500) throw new TransientPspError(`${method} ${path}: HTTP ${res.status} ${message}`);
    if (res.status === 400 || res.status === 402) throw new PspRefusedError(message);
    if (res.status === 409) throw new PspConflictError(`PSP ${method} ${path}: ${message}`, error?.code ?? undefined);
    // 401, 404: our configuration or our code is wrong; retrying will not help and the payment must not fail.
    throw new Error(`PSP ${method} ${path} answered HTTP ${res.status}: ${message}`);
  }
}
