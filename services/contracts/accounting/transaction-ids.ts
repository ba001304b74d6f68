/**
 * The deterministic ids the platform books its own transactions under: posting is idempotent on the id, so the same
 * fact always names the same transaction. The ledger books the event ones, reconciliation the settlement and
 * adjustment ones, and reconciliation finds the event ones again from a PSP's settlement line.
 */
export const TRANSACTION_PREFIXES = {
  payIn: "payin:",
  refund: "refund:",
  payout: "payout:",
  dispute: "dispute:",
  settlement: "settlement:",
  adjustment: "adjustment:",
} as const;

export type PayoutStep = "requested" | "paid" | "failed";
export type DisputeStep = "open" | "won" | "lost";

export const payInTransactionId = (paymentId: string) => `${TRANSACTION_PREFIXES.payIn}${paymentId}`;
export const refundTransactionId = (refundId: string) => `${TRANSACTION_PREFIXES.refund}${refundId}`;
export const payoutTransactionId = (payoutId: string, step: PayoutStep) =>
  `${TRANSACTION_PREFIXES.payout}${payoutId}:${step}`;
export const disputeTransactionId = (disputeId: string, step: DisputeStep) =>
  `${TRANSACTION_PREFIXES.dispute}${disputeId}:${step}`;
/** `sequence`: 1 for a day's first settlement posting in the currency, then one more per later run that changed it. */
export const settlementTransactionId = (date: string, currency: string, sequence: number) =>
  `${TRANSACTION_PREFIXES.settlement}${date}:${currency}:${sequence}`;
export const adjustmentTransactionId = (exceptionId: string) => `${TRANSACTION_PREFIXES.adjustment}${exceptionId}`;
