import { unavailable } from "../../../lib/errors.js";
import type { Payout } from "../../domain/payout.js";
import type { PspPayout } from "../../domain/psp-payout.js";
import { PspPayoutRefused, type PspPayoutsPort } from "../ports.js";

/**
 * The PSP's payouts in memory, for unit tests: idempotent on our payout id, as the PSP is. `mode` says what it does
 * with the payouts sent next: takes them (to pay later, see `finish`), pays them at once, refuses them, or does not answer.
 */
export class FakePspPayouts implements PspPayoutsPort {
  mode: "pending" | "paid" | "refuse" | "unreachable" = "pending";
  /** The idempotency keys of every create, in order (our payout ids). */
  readonly sent: string[] = [];
  /** The PSP's payouts, by our payout id. */
  readonly byKey = new Map<string, PspPayout>();

  async create(payout: Payout): Promise<PspPayout> {
    this.sent.push(payout.payoutId);
    if (this.mode === "unreachable") throw unavailable("the PSP is not answering (connect ECONNREFUSED); retry later");
    if (this.mode === "refuse")
      throw new PspPayoutRefused("currency_not_supported", `payouts in ${payout.amount.currency} are not supported`);
    const existing = this.byKey.get(payout.payoutId);
    if (existing) return existing;
    const created: PspPayout = {
      id: `po_psp_${this.byKey.size + 1}`,
      status: this.mode,
      failureCode: null,
      failureMessage: null,
    };
    this.byKey.set(payout.payoutId, created);
    return created;
  }

  async retrieve(pspPayoutId: string): Promise<PspPayout> {
    const found = [...this.byKey.values()].find((p) => p.id === pspPayoutId);
    if (found === undefined) throw new Error(`the PSP has no payout ${pspPayoutId}`);
    return found;
  }

  /** The PSP pays the payout sent under `payoutId`, or fails it with `failure`. */
  finish(payoutId: string, status: "paid" | "failed", failure?: { code: string; message: string }): void {
    const taken = this.byKey.get(payoutId)!;
    this.byKey.set(payoutId, {
      ...taken,
      status,
      failureCode: failure?.code ?? null,
      failureMessage: failure?.message ?? null,
    });
  }
}
