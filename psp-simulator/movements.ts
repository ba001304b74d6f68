import type { Dispute } from "./disputes.js";
import type { Payment } from "./payments.js";
import type { Payout } from "./payouts.js";
import type { Refund } from "./refunds.js";

export type MovementType = "charge" | "refund" | "payout" | "fee" | "chargeback" | "chargeback_reversal";

/** Money moving on the merchant's balance at the PSP, as one settlement line. */
export interface Movement {
  /** The PSP object behind it: pi_, re_, po_ or dp_. */
  pspReference: string;
  ourReference: string;
  type: MovementType;
  /** Signed from the merchant's balance point of view: + credits it, - debits it. */
  gross: number;
  /** What the PSP keeps on top, >= 0; the balance moves by `gross - fee`. */
  fee: number;
  currency: string;
  /** Simulator time, ms. */
  time: number;
}

/** What the movement does to the balance. */
export function net(movement: Pick<Movement, "gross" | "fee">): number {
  return movement.gross - movement.fee;
}

/** Adds the movement's net to its currency's balance. */
export function addTo(balances: Map<string, number>, movement: Movement): void {
  balances.set(movement.currency, (balances.get(movement.currency) ?? 0) + net(movement));
}

/** A movement not yet stamped with its time. */
export type MovementDraft = Omit<Movement, "time">;

/** `refund_id` is the platform's own id for the refund, which it sends as refund metadata. */
export function refundReference(refund: Refund): string {
  const refundId = refund.metadata.refund_id;
  return refundId ? `${refund.payment.reference}/${refundId}` : refund.payment.reference;
}

// Each function below answers the movements caused by the status the object has just reached (none for most).

/** A payment settles once it succeeds, i.e. is captured: what was captured, less the processing fee. */
export function paymentMovements(payment: Payment): MovementDraft[] {
  if (payment.status !== "succeeded" || payment.fee === null) return [];
  const { id, reference, amountCaptured, fee, currency } = payment;
  return [{ pspReference: id, ourReference: reference, type: "charge", gross: amountCaptured, fee, currency }];
}

/** A refund debits the balance once it succeeds; a failed one moves nothing. The charge's fee is not returned. */
export function refundMovements(refund: Refund): MovementDraft[] {
  if (refund.status !== "succeeded") return [];
  return [
    {
      pspReference: refund.id,
      ourReference: refundReference(refund),
      type: "refund",
      gross: -refund.amount,
      fee: 0,
      currency: refund.currency,
    },
  ];
}

/** A payout debits the balance once paid; a failed one moves nothing. */
export function payoutMovements(payout: Payout): MovementDraft[] {
  if (payout.status !== "paid") return [];
  return [
    {
      pspReference: payout.id,
      ourReference: payout.reference,
      type: "payout",
      gross: -payout.amount,
      fee: 0,
      currency: payout.currency,
    },
  ];
}

/**
 * As with Stripe, the disputed amount is debited when the dispute opens, together with the dispute fee (its own
 * line), and credited back if the dispute is won; the fee is kept either way. A lost dispute moves nothing more.
 */
export function disputeMovements(dispute: Dispute, disputeFee: number): MovementDraft[] {
  const line = { pspReference: dispute.id, ourReference: dispute.payment.reference, currency: dispute.currency };
  if (dispute.status === "needs_response") {
    return [
      { ...line, type: "chargeback", gross: -dispute.amount, fee: 0 },
      { ...line, type: "fee", gross: 0, fee: disputeFee },
    ];
  }
  return dispute.status === "won" ? [{ ...line, type: "chargeback_reversal", gross: dispute.amount, fee: 0 }] : [];
}
