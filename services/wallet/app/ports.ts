import type { Money } from "../../lib/money.js";
import type { BalanceChange } from "../domain/balance-changes.js";
import type { Payout, PayoutOutcome, PayoutRequest } from "../domain/payout.js";
import type { PayoutMinimums } from "../domain/payout-schedule.js";
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

/** The payouts each call reads or changes on its own. */
export interface Payouts {
  get(payoutId: string): Promise<Payout | undefined>;
  /** Remembers the PSP's id of a payout that is still on its way. */
  recordPspPayout(payoutId: string, pspPayoutId: string): Promise<Payout>;
  /** Claims up to `limit` PENDING payouts untouched for `staleAfterMs`: other claims skip them for that long. */
  claimPending(staleAfterMs: number, limit: number): Promise<Payout[]>;
}

/** A payout written with the event that announces it; the event's id also names the balance movement the change makes. */
export interface AnnouncedPayout {
  payout: Payout;
  eventId: string;
}

/** A seller's balance in one currency that a scheduled payout takes whole, with the seller's payout account. */
export interface PayableBalance {
  sellerId: string;
  currency: string;
  availableMinor: bigint;
  destination: string;
}

/** Whether a payout's amount was taken; when not, what the balance holds. */
export type Withdrawal = { withdrawn: true } | { withdrawn: false; availableMinor: bigint };

/** Payouts, their events and the balances they move, on one transaction (see PayoutTransactions). */
export interface PayoutTransaction {
  get(payoutId: string): Promise<Payout | undefined>;
  /** The destination of the seller's payout account; undefined when the seller has none. */
  payoutDestination(sellerId: string): Promise<string | undefined>;
  /**
   * A new PENDING payout with its event; undefined when the id is taken (a concurrent open of the same id waits for
   * the other transaction, so `get` then finds the payout it committed).
   */
  open(request: PayoutRequest, destination: string, scheduleWindow?: number): Promise<AnnouncedPayout | undefined>;
  /** PENDING -> the outcome with its event, keeping the PSP's id when given; undefined when the payout is final already. */
  settle(
    payoutId: string,
    pspPayoutId: string | undefined,
    outcome: PayoutOutcome,
  ): Promise<AnnouncedPayout | undefined>;
  /**
   * Takes `money` from the seller's balance as the movement `eventId`, only if the balance holds it (after waiting for
   * a concurrent payout's withdrawal), so that payouts never overdraw; when not, says what is available.
   */
  withdraw(eventId: string, sellerId: string, money: Money): Promise<Withdrawal>;
  /** Applies the changes to the balances in `currency` as the movement `eventId`; `kind` names the cause. */
  move(eventId: string, currency: string, changes: BalanceChange[], kind: string): Promise<void>;
  /** Only one instance at a time creates scheduled payouts: false when another one is at it. The turn ends with the transaction. */
  takeSchedulerTurn(): Promise<boolean>;
  /**
   * Up to `limit` balances the window's scheduled payouts take, by seller then currency: every seller with a payout
   * account and a balance of at least the currency's minimum, not paid out in this window yet. Locked until the
   * transaction ends, so a payout of the whole balance takes exactly what it holds.
   */
  payableBalances(window: number, minimums: PayoutMinimums, limit: number): Promise<PayableBalance[]>;
}

/** The payouts' unit of work: what `work` records commits together (a payout, its event, its balance movement), or nothing when it throws. */
export interface PayoutTransactions {
  transaction<T>(work: (tx: PayoutTransaction) => Promise<T>): Promise<T>;
}
