import type { Payout } from "../domain/payout.js";
import type { PspPayout } from "../domain/psp-payout.js";

export interface PspPayoutsPort {
  /** Idempotent: our payout id is the PSP's idempotency key (and the payout's reference there). */
  create(payout: Payout): Promise<PspPayout>;
  retrieve(pspPayoutId: string): Promise<PspPayout>;
}

/** The PSP refused the payout for good (e.g. a currency it does not pay out in): it will never be paid. */
export class PspPayoutRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "PspPayoutRefused";
  }
}
