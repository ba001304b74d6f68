import type { Failure } from "./payment.js";
import type { PaymentStatus } from "./status.js";

export type PspStatus = "requires_payment_method" | "processing" | "succeeded" | "failed";

/** The PSP's view of a payment, from an API response or a signed webhook. */
export interface PspPayment {
  id: string;
  /** Our payment id, sent as the PSP's reference. */
  reference: string;
  status: PspStatus;
  amountMinor: bigint;
  currency: string;
  hostedPageUrl: string;
  declineCode: string | null;
  failureMessage: string | null;
}

const OUR_STATUS: Record<PspStatus, PaymentStatus> = {
  requires_payment_method: "EXECUTING",
  processing: "PENDING",
  succeeded: "SUCCEEDED",
  failed: "FAILED",
};

export function statusFromPsp(psp: PspPayment): PaymentStatus {
  return OUR_STATUS[psp.status];
}

export function failureFromPsp(psp: PspPayment): Failure | undefined {
  if (psp.status !== "failed") return undefined;
  const code = psp.declineCode ?? "unknown";
  return { reason: `card declined: ${psp.failureMessage ?? code}`, declineCode: code };
}
