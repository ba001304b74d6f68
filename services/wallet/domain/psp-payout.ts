import type { PayoutOutcome } from "./payout.js";

/** A payout as the PSP reports it. */
export interface PspPayout {
  id: string;
  status: "pending" | "paid" | "failed";
  failureCode: string | null;
  failureMessage: string | null;
}

/** What the PSP's answer means for our payout: final, or still on its way (undefined). */
export function outcomeOf(psp: PspPayout): PayoutOutcome | undefined {
  if (psp.status === "paid") return { status: "PAID" };
  if (psp.status === "failed") {
    return {
      status: "FAILED",
      failure: { code: psp.failureCode ?? "unknown", message: psp.failureMessage ?? "the PSP gave no reason" },
    };
  }
  return undefined;
}
