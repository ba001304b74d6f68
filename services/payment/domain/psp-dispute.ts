/** The PSP's view of a dispute, from a signed webhook. */
export interface PspDispute {
  id: string;
  pspPaymentId: string;
  status: "needs_response" | "won" | "lost";
  amountMinor: bigint;
  currency: string;
  reason: string;
}
