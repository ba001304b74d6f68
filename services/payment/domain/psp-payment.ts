import type { PendingReason, StatusChange } from "./payment.js";
import type { PaymentStatus } from "./status.js";

export type PspStatus =
  | "requires_payment_method"
  | "processing"
  | "requires_capture"
  | "succeeded"
  | "failed"
  | "canceled";

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
  /** What was charged, once `succeeded`. */
  amountCapturedMinor: bigint;
  /**
   * Why it is `canceled`: "requested_by_customer" (a void), "abandoned" (we canceled it unpaid: it expired) or
   * "expired" (an authorization not captured in time).
   */
  cancellationReason: string | null;
  /** Why it is `processing`. */
  pendingReason: PspPendingReason | null;
}

export type PspPendingReason = "three_d_secure" | "manual_review";

const OUR_PENDING_REASON: Record<PspPendingReason, PendingReason> = {
  three_d_secure: "THREE_D_SECURE",
  manual_review: "MANUAL_REVIEW",
};

const OUR_STATUS: Record<PspStatus, PaymentStatus> = {
  requires_payment_method: "EXECUTING",
  processing: "PENDING",
  requires_capture: "AUTHORIZED",
  succeeded: "SUCCEEDED",
  failed: "FAILED",
  canceled: "VOIDED",
};

/** What the PSP's view means for our payment: its status, and why it failed or waits. */
export function changeFromPsp(psp: PspPayment): StatusChange {
  const to = OUR_STATUS[psp.status];
  if (psp.status === "failed") {
    const code = psp.declineCode ?? "unknown";
    return { to, failure: { reason: `card declined: ${psp.failureMessage ?? code}`, declineCode: code } };
  }
  if (psp.status === "processing" && psp.pendingReason)
    return { to, pendingReason: OUR_PENDING_REASON[psp.pendingReason] };
  if (psp.status === "canceled") {
    if (psp.cancellationReason === "abandoned") return { to: "FAILED", failure: ABANDONED };
    return {
      to,
      failure: {
        reason:
          psp.cancellationReason === "expired"
            ? "the authorization expired before it was captured"
            : "voided: released before it was captured, nothing was charged",
      },
    };
  }
  return { to };
}

const ABANDONED = {
  reason: "expired: the buyer did not pay in time; canceled at the PSP, nothing was charged",
  declineCode: "expired",
};

/** Registered, still awaiting the buyer, and checked out `expireAfterMs` ago or more: to be canceled at the PSP. */
export function isAbandoned(psp: PspPayment, checkedOutAt: Date, expireAfterMs: number, now: number): boolean {
  return psp.status === "requires_payment_method" && now - checkedOutAt.getTime() >= expireAfterMs;
}
