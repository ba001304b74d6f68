import type { PspPayment, PspPendingReason, PspStatus } from "../domain/psp-payment.js";
import type { PspRefund } from "../domain/psp-refund.js";
import type { PspDispute } from "../domain/psp-dispute.js";

export class MalformedPspObject extends Error {}

const STATUSES: readonly PspStatus[] = [
  "requires_payment_method",
  "processing",
  "requires_capture",
  "succeeded",
  "failed",
  "canceled",
];
const PENDING_REASONS: readonly PspPendingReason[] = ["three_d_secure", "manual_review"];

function fieldReader(json: unknown, what: string) {
  const o = json as Record<string, unknown>;
  const str = (key: string) => {
    if (typeof o?.[key] !== "string")
      throw new MalformedPspObject(`PSP ${what} object: "${key}" is missing or not a string`);
    return o[key] as string;
  };
  const nullableStr = (key: string) => (o[key] === null || o[key] === undefined ? null : str(key));
  const amount = () => {
    if (typeof o.amount !== "number" || !Number.isSafeInteger(o.amount))
      throw new MalformedPspObject(`PSP ${what} object: amount is not an integer`);
    return BigInt(o.amount);
  };
  return { o, str, nullableStr, amount };
}

/** Reads a PSP payment object (API response or webhook payload); throws on anything malformed. */
export function parsePspPayment(json: unknown): PspPayment {
  const { o, str, nullableStr, amount } = fieldReader(json, "payment");
  const status = str("status") as PspStatus;
  if (!STATUSES.includes(status)) throw new MalformedPspObject(`PSP payment object: unknown status "${status}"`);
  const pendingReason = nullableStr("pending_reason") as PspPendingReason | null;
  if (pendingReason !== null && !PENDING_REASONS.includes(pendingReason)) {
    throw new MalformedPspObject(`PSP payment object: unknown pending_reason "${pendingReason}"`);
  }
  return {
    id: str("id"),
    reference: str("reference"),
    status,
    amountMinor: amount(),
    currency: str("currency"),
    hostedPageUrl: str("hosted_page_url"),
    declineCode: nullableStr("decline_code"),
    failureMessage: nullableStr("failure_message"),
    amountCapturedMinor: typeof o.amount_captured === "number" ? BigInt(o.amount_captured) : 0n,
    cancellationReason: nullableStr("cancellation_reason"),
    pendingReason,
  };
}

const REFUND_STATUSES: readonly PspRefund["status"][] = ["pending", "succeeded", "failed"];

/** Reads a PSP refund object; throws on anything malformed, or one that is not ours (no refund_id in metadata). */
export function parsePspRefund(json: unknown): PspRefund {
  const { o, str, nullableStr, amount } = fieldReader(json, "refund");
  const status = str("status") as PspRefund["status"];
  if (!REFUND_STATUSES.includes(status)) throw new MalformedPspObject(`PSP refund object: unknown status "${status}"`);
  const refundId = (o.metadata as Record<string, unknown> | undefined)?.refund_id;
  if (typeof refundId !== "string") throw new MalformedPspObject("PSP refund object: metadata.refund_id is missing");
  return {
    id: str("id"),
    refundId,
    pspPaymentId: str("payment"),
    status,
    amountMinor: amount(),
    currency: str("currency"),
    failureReason: nullableStr("failure_reason"),
  };
}

const DISPUTE_STATUSES: readonly PspDispute["status"][] = ["needs_response", "won", "lost"];

/** Reads a PSP dispute object; throws on anything malformed. */
export function parsePspDispute(json: unknown): PspDispute {
  const { str, amount } = fieldReader(json, "dispute");
  const status = str("status") as PspDispute["status"];
  if (!DISPUTE_STATUSES.includes(status))
    throw new MalformedPspObject(`PSP dispute object: unknown status "${status}"`);
  return {
    id: str("id"),
    pspPaymentId: str("payment"),
    status,
    amountMinor: amount(),
    currency: str("currency"),
    reason: str("reason"),
  };
}
