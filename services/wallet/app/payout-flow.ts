import { DomainError, failedPrecondition } from "../../lib/errors.js";
import { present } from "../../lib/invariant.js";
import type { Logger } from "../../lib/log.js";
import { payoutReturn } from "../domain/balance-changes.js";
import {
  insufficientBalance,
  noPayoutAccount,
  sameRequestOrConflict,
  type Payout,
  type PayoutOutcome,
  type PayoutRequest,
} from "../domain/payout.js";
import {
  scheduledPayoutId,
  scheduleWindow,
  type PayoutMinimums,
  type PayoutSchedule,
} from "../domain/payout-schedule.js";
import { outcomeOf, type PspPayout } from "../domain/psp-payout.js";
import {
  PspPayoutRefused,
  type PayoutTransaction,
  type PayoutTransactions,
  type Payouts,
  type PspPayoutsPort,
} from "./ports.js";

const SCHEDULE_BATCH = 100;

/**
 * Pay-outs: a payout takes its amount from the balance when it is created, goes to the PSP with its id as the
 * idempotency key, and ends PAID or FAILED as the PSP says (a failed one returns the amount). Until the PSP has it,
 * it stays PENDING and the poller sends it again.
 */
export class PayoutFlow {
  constructor(
    private readonly payouts: Payouts,
    private readonly transactions: PayoutTransactions,
    /** Absent when no PSP is configured: no payouts then. */
    private readonly psp: PspPayoutsPort | undefined,
    private readonly log: Logger,
  ) {}

  /** The same request again returns the payout as it is now, and sends it to the PSP if it has not got there yet. */
  async request(request: PayoutRequest): Promise<Payout> {
    this.requirePsp();
    const existing = await this.payouts.get(request.payoutId);
    const payout = sameRequestOrConflict(existing ?? (await this.create(request)), request);
    return payout.status === "PENDING" && payout.pspPayoutId === undefined ? this.submit(payout) : payout;
  }

  /** Where a PENDING payout stands: sent to the PSP if it never got there, else asked about. */
  async refresh(payout: Payout): Promise<Payout> {
    if (payout.pspPayoutId === undefined) return this.submit(payout);
    return this.apply(payout, await this.requirePsp().retrieve(payout.pspPayoutId));
  }

  /** Refreshes up to `limit` PENDING payouts untouched for `staleAfterMs` that this instance claims, until `stopping`. */
  async refreshStale(staleAfterMs: number, limit: number, stopping: AbortSignal): Promise<void> {
    for (const payout of await this.payouts.claimPending(staleAfterMs, limit)) {
      if (stopping.aborted) return;
      await this.refresh(payout).catch((err: unknown) =>
        this.log.warn("could not refresh a pending payout", { payoutId: payout.payoutId, error: String(err) }),
      );
    }
  }

  /** Creates the window's scheduled payouts (see PayoutTransaction.payableBalances), then sends them to the PSP. */
  async runSchedule(schedule: PayoutSchedule, now: Date): Promise<Payout[]> {
    const window = scheduleWindow(now, schedule.intervalMs);
    const created: Payout[] = [];
    for (;;) {
      const batch = await this.createScheduled(window, schedule.minimums);
      created.push(...(batch ?? []));
      if (batch === undefined || batch.length < SCHEDULE_BATCH) break;
    }
    const sent: Payout[] = [];
    for (const payout of created) sent.push(await this.submit(payout));
    return sent;
  }

  /** The payout to the seller's payout account; a payout already under its id is returned as it is (the caller compares the requests). */
  private create(request: PayoutRequest): Promise<Payout> {
    return this.transactions.transaction(async (tx) => {
      const destination = await tx.payoutDestination(request.sellerId);
      if (destination === undefined) throw noPayoutAccount(request.sellerId);
      return openPayout(tx, request, destination);
    });
  }

  /** One batch of the window's scheduled payouts, each of a whole balance; undefined when another instance is at it. */
  private createScheduled(window: number, minimums: PayoutMinimums): Promise<Payout[] | undefined> {
    return this.transactions.transaction(async (tx) => {
      if (!(await tx.takeSchedulerTurn())) return undefined;
      const created: Payout[] = [];
      for (const { sellerId, currency, availableMinor, destination } of await tx.payableBalances(
        window,
        minimums,
        SCHEDULE_BATCH,
      )) {
        const request = {
          payoutId: scheduledPayoutId(sellerId, currency, window),
          sellerId,
          amount: { amountMinor: availableMinor, currency },
        };
        created.push(await openPayout(tx, request, destination, window));
      }
      return created;
    });
  }

  /** Moves a PENDING payout to its outcome, once, with what it returns to the balance; a payout already final is returned as it is. */
  private settle(payoutId: string, pspPayoutId: string | undefined, outcome: PayoutOutcome): Promise<Payout> {
    return this.transactions.transaction(async (tx) => {
      const settled = await tx.settle(payoutId, pspPayoutId, outcome);
      if (settled === undefined) return present(await tx.get(payoutId), `payout ${payoutId}, already final, exists`);
      const { payout, eventId } = settled;
      await tx.move(eventId, payout.amount.currency, payoutReturn(payout), "payout_returned");
      return payout;
    });
  }

  private async submit(payout: Payout): Promise<Payout> {
    let answer: PspPayout;
    try {
      answer = await this.requirePsp().create(payout);
    } catch (err) {
      if (err instanceof PspPayoutRefused)
        return this.settle(payout.payoutId, undefined, {
          status: "FAILED",
          failure: { code: err.code, message: err.message },
        });
      if (!(err instanceof DomainError && err.kind === "unavailable")) throw err;
      this.log.warn("the PSP did not take the payout; it stays PENDING and the poller sends it again", {
        payoutId: payout.payoutId,
        error: err.message,
      });
      return payout;
    }
    return this.apply(payout, answer);
  }

  private apply(payout: Payout, answer: PspPayout): Promise<Payout> {
    const outcome = outcomeOf(answer);
    if (outcome) return this.settle(payout.payoutId, answer.id, outcome);
    return payout.pspPayoutId === answer.id
      ? Promise.resolve(payout)
      : this.payouts.recordPspPayout(payout.payoutId, answer.id);
  }

  private requirePsp(): PspPayoutsPort {
    if (this.psp === undefined)
      throw failedPrecondition("pay-outs are off: this wallet service has no PSP configured (PSP_URL, PSP_API_KEY)");
    return this.psp;
  }
}

/**
 * Opens the payout and takes its amount from the balance, in `tx`; a payout already under its id is returned as it
 * is. A balance short of the amount throws, which undoes the payout and its event.
 */
async function openPayout(
  tx: PayoutTransaction,
  request: PayoutRequest,
  destination: string,
  scheduleWindow?: number,
): Promise<Payout> {
  const opened = await tx.open(request, destination, scheduleWindow);
  // Taken: a concurrent open of the same id waited for the other transaction, which has committed it.
  if (opened === undefined)
    return present(await tx.get(request.payoutId), `payout ${request.payoutId}, opened concurrently, exists`);
  const { payout, eventId } = opened;
  const taken = await tx.withdraw(eventId, payout.sellerId, payout.amount);
  if (!taken.withdrawn) throw insufficientBalance(request, taken.availableMinor);
  return payout;
}
