/** The PSP's view of a refund, from an API response or a signed webhook. */
export interface PspRefund {
  id: string;
  /** Our refund id, sent in the PSP refund's metadata. */
  refundId: string;
  pspPaymentId: string;
  status: "pending" | "succeeded" | "failed";
  amountMinor: bigint;
  currency: string;
  failureReason: string | null;
}
