import type { PspPayment, PspPendingReason, PspStatus } from "../domain/psp-payment.js";

export class MalformedPspObject extends Error {}

const STATUSES: readonly PspStatus[] = ["requires_payment_method", "processing", "succeeded", "failed"];
const PENDING_REASONS: readonly PspPendingReason[] = ["three_d_secure", "manual_review"];

/** Reads a PSP payment object (API response or webhook payload); throws on anything malformed. */
export function parsePspPayment(json: unknown): PspPayment {
  const o = json as Record<string, unknown>;
  const str = (key: string) => {
    if (typeof o?.[key] !== "string") throw new MalformedPspObject(`PSP payment object: "${key}" is missing or not a string`);
    return o[key] as string;
  };
  const nullableStr = (key: string) => (o[key] === null || o[key] === undefined ? null : str(key));
  const status = str("status") as PspStatus;
  if (!STATUSES.includes(status)) throw new MalformedPspObject(`PSP payment object: unknown status "${status}"`);
  const pendingReason = nullableStr("pending_reason") as PspPendingReason | null;
  if (pendingReason !== null && !PENDING_REASONS.includes(pendingReason)) {
    throw new MalformedPspObject(`PSP payment object: unknown pending_reason "${pendingReason}"`);
  }
  if (typeof o.amount !== "number" || !Number.isSafeInteger(o.amount)) throw new MalformedPspObject("PSP payment object: amount is not an integer");
  return {
    id: str("id"),
    reference: str("reference"),
    status,
    amountMinor: BigInt(o.amount),
    currency: str("currency"),
    hostedPageUrl: str("hosted_page_url"),
    declineCode: nullableStr("decline_code"),
    failureMessage: nullableStr("failure_message"),
    pendingReason,
  };
}
