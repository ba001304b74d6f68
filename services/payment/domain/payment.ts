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
}

export interface Failure {
  reason: string;
  declineCode?: string;
}

/** A checkout as the payment service knows it. */
export interface Payment extends Omit<PricedCheckout, "orders"> {
  id: string;
  status: PaymentStatus;
  orders: PaymentOrder[];
  risk?: RiskResult;
  pspPaymentId?: string;
  hostedPageUrl?: string;
  failure?: Failure;
  createdAt: Date;
  updatedAt: Date;
}

export function awaitsReview(payment: Payment): boolean {
  return payment.status === "NOT_STARTED" && payment.risk?.decision === "REVIEW" && payment.risk.review === undefined;
}

/** Risk approved it, or a person approved it after review: it may go to the PSP. */
export function clearedForPsp(payment: Payment): boolean {
  return payment.risk?.decision === "APPROVE" || payment.risk?.review?.outcome === "APPROVED";
}

export function riskRejection(risk: RiskResult): Failure {
  return { reason: `rejected by risk: ${risk.reasons.map((r) => r.message).join("; ")}` };
}
