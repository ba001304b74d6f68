import { DomainError, failedPrecondition } from "../../lib/errors.js";
import type { Logger } from "../../lib/log.js";
import { sameRequestOrConflict, type Payout, type PayoutRequest } from "../domain/payout.js";
import { scheduleWindow, type PayoutSchedule } from "../domain/payout-schedule.js";
import { outcomeOf, type PspPayout } from "../domain/psp-payout.js";
import type { PayoutStore } from "../store/payout-store.js";
import { PspPayoutRefused, type PspPayoutsPort } from "./ports.js";

const SCHEDULE_BATCH = 100;

/**
 * Pay-outs: a payout takes its amount from the balance when it is created, goes to the PSP with its id as the
 * idempotency key, and ends PAID or FAILED as the PSP says (a failed one returns the amount). Until the PSP has it,
 * it stays PENDING and the poller sends it again.
 */
export class PayoutFlow {
  constructor(
    private readonly store: PayoutStore,
    /** Absent when no PSP is configured: no payouts then. */
    private readonly psp: PspPayoutsPort | undefined,
    private readonly log: Logger,
  ) {}

  /** The same request again returns the payout as it is now, and sends it to the PSP if it has not got there yet. */
  async request(request: PayoutRequest): Promise<Payout> {
    this.requirePsp();
    const existing = await this.store.get(request.payoutId);
    const payout = sameRequestOrConflict(existing ?? (await this.store.create(request)), request);
    return payout.status === "PENDING" && payout.pspPayoutId === undefined ? this.submit(payout) : payout;
  }

  /** Where a PENDING payout stands: sent to the PSP if it never got there, else asked about. */
  async refresh(payout: Payout): Promise<Payout> {
    if (payout.pspPayoutId === undefined) return this.submit(payout);
    return this.apply(payout, await this.requirePsp().retrieve(payout.pspPayoutId));
  }

  /** Creates the window's scheduled payouts (see PayoutStore.createScheduled), then sends them to the PSP. */
  async runSchedule(schedule: PayoutSchedule, now: Date): Promise<Payout[]> {
    const window = scheduleWindow(now, schedule.intervalMs);
    const created: Payout[] = [];
    for (;;) {
      const batch = await this.store.createScheduled(window, schedule.minimums, SCHEDULE_BATCH);
      created.push(...(batch ?? []));
      if (batch === undefined || batch.length < SCHEDULE_BATCH) break;
    }
    const sent: Payout[] = [];
    for (const payout of created) sent.push(await this.submit(payout));
    return sent;
  }

  private async submit(payout: Payout): Promise<Payout> {
    let answer: PspPayout;
    try {
      answer = await this.requirePsp().create(payout);
    } catch (err) {
      if (err instanceof PspPayoutRefused) return this.store.settle(payout.payoutId, undefined, { status: "FAILED", failure: { code: err.code, message: err.message } });
      if (!(err instanceof DomainError && err.kind === "unavailable")) throw err;
      this.log.warn("the PSP did not take the payout; it stays PENDING and the poller sends it again", { payoutId: payout.payoutId, error: err.message });
      return payout;
    }
    return this.apply(payout, answer);
  }

  private apply(payout: Payout, answer: PspPayout): Promise<Payout> {
    const outcome = outcomeOf(answer);
    if (outcome) return this.store.settle(payout.payoutId, answer.id, outcome);
    return payout.pspPayoutId === answer.id ? Promise.resolve(payout) : this.store.recordPspPayout(payout.payoutId, answer.id);
  }

  private requirePsp(): PspPayoutsPort {
    if (this.psp === undefined) throw failedPrecondition("pay-outs are off: this wallet service has no PSP configured (PSP_URL, PSP_API_KEY)");
    return this.psp;
  }
}
