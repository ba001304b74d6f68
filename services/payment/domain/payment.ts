import type { PricedCheckout, PricedOrder } from "./checkout.js";
import type { PaymentStatus } from "./status.js";

export type RiskDecision = "APPROVE" | "REVIEW" | "REJECT";
export type ReviewOutcome = "APPROVED" | "REJECTED";

export interface RiskResult {
  decision: RiskDecision;
  reasons: { code: string; message: string }[];
  review?: { outcome: ReviewOutcome; reviewer: string; note: string };
}

export interface PaymentOrder extends PricedOrder {
  status: PaymentStatus;
  /** The amount asked for at checkout; `amountMinor` is what is charged (less, after a partial capture). */
  requestedMinor: bigint;
}

export interface Failure {
  reason: string;
  declineCode?: string;
}

export type PendingReason = "THREE_D_SECURE" | "MANUAL_REVIEW";

/** A move to `to`, with why it failed (to FAILED) or why it waits (to PENDING). */
export interface StatusChange {
  to: PaymentStatus;
  failure?: Failure;
  pendingReason?: PendingReason;
}

/** A checkout as the payment service knows it. */
export interface Payment extends Omit<PricedCheckout, "orders"> {
  id: string;
  status: PaymentStatus;
  orders: PaymentOrder[];
  risk?: RiskResult;
  pspPaymentId?: string;
  hostedPageUrl?: string;
  /** Our page where the PSP sends the buyer back; fixed at creation, so every instance registers it alike. */
  statusPageUrl: string;
  /** What was registered at the PSP; `total` is what is charged. */
  requestedTotal: bigint;
  failure?: Failure;
  /** Why the PSP held it PENDING, kept after it moves on. */
  pendingReason?: PendingReason;
  createdAt: Date;
  updatedAt: Date;
}

/** A payment the PSP knows (registered there), so a call to the PSP can name it. */
export type RegisteredPayment = Payment & { pspPaymentId: string };

export function isRegistered(payment: Payment): payment is RegisteredPayment {
  return payment.pspPaymentId !== undefined;
}

export function awaitsReview(payment: Payment): boolean {
  return payment.status === "NOT_STARTED" && payment.risk?.decision === "REVIEW" && payment.risk.review === undefined;
}

/** Risk approved it, or a person approved it after review: it may go to the PSP. */
export function clearedForPsp(payment: Payment): boolean {
  return payment.risk?.decision === "APPROVE" || payment.risk?.review?.outcome === "APPROVED";
}

export function riskRejection(risk: RiskResult): StatusChange {
  return failedBecause(`rejected by risk: ${risk.reasons.map((r) => r.message).join("; ")}`);
}

export function failedBecause(reason: string): StatusChange {
  return { to: "FAILED", failure: { reason } };
}

/** The buyer was charged: paid, and maybe refunded since. */
export function isCharged(status: PaymentStatus): boolean {
  return status === "SUCCEEDED" || status === "PARTIALLY_REFUNDED" || status === "REFUNDED";
}

/** Pay-in is over and nothing was charged; the payment's failure says why. */
export function endedUncharged(status: PaymentStatus): boolean {
  return status === "FAILED" || status === "VOIDED";
}

const SETTLED: readonly PaymentStatus[] = ["SUCCEEDED", "PARTIALLY_REFUNDED", "REFUNDED", "FAILED", "VOIDED"];

/** Pay-in is over: the buyer was charged (and maybe refunded since), or will not be. */
export function isSettled(status: PaymentStatus): boolean {
  return SETTLED.includes(status);
}

/** The payment as it was right after it moved to `status`, given how it is `now`. */
export function asOfStatusChange(now: Payment, status: PaymentStatus, occurredAt: Date): Payment {
  return {
    ...now,
    status,
    orders: now.orders.map((o) => ({ ...o, status })),
    failure: status === "FAILED" ? now.failure : undefined,
    updatedAt: occurredAt,
  };
}
