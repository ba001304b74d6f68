import type { Knex } from "knex";
import { claimStaleRows, type Db } from "../../lib/db.js";
import { present } from "../../lib/invariant.js";
import type { AnnouncedPayout, PayableBalance, Payouts } from "../app/ports.js";
import type { Payout, PayoutOutcome, PayoutRequest, PayoutStatus } from "../domain/payout.js";
import type { PayoutMinimums } from "../domain/payout-schedule.js";
import { appendPayoutEvent } from "./outbox.js";

export interface PayoutAccount {
  sellerId: string;
  destination: string;
  updatedAt: Date;
}

interface PayoutRow {
  payout_id: string;
  seller_id: string;
  currency: string;
  amount_minor: bigint;
  destination: string;
  status: PayoutStatus;
  psp_payout_id: string | null;
  failure_code: string | null;
  failure_message: string | null;
  created_at: Date;
  updated_at: Date;
}

const toPayout = (r: PayoutRow): Payout => ({
  payoutId: r.payout_id,
  sellerId: r.seller_id,
  amount: { amountMinor: r.amount_minor, currency: r.currency.trim() },
  status: r.status,
  destination: r.destination,
  pspPayoutId: r.psp_payout_id ?? undefined,
  failure: r.failure_code === null ? undefined : { code: r.failure_code, message: r.failure_message ?? "" },
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Only one instance at a time creates scheduled payouts (key of a transaction-scoped advisory lock). */
const SCHEDULER_LOCK_KEY = 0x5c4ed;

/**
 * Payouts and payout accounts. The writes that must commit with a balance movement take the caller's transaction
 * (see SqlPayoutTransactions); each of the others commits on its own.
 */
export class PayoutStore implements Payouts {
  constructor(private readonly db: Db) {}

  /** How many payouts are in each status: the sums of the counts kept as they change (migration 007). */
  async countByStatus(): Promise<Map<string, number>> {
    const { rows } = await this.db.raw(
      "select status, sum(counted)::int as payouts from payout_status_counts group by status",
    );
    return new Map(rows.map((r: { status: string; payouts: number }) => [r.status, r.payouts]));
  }

  async setAccount(sellerId: string, destination: string): Promise<PayoutAccount> {
    const [row] = await this.db("payout_accounts")
      .insert({ seller_id: sellerId, destination })
      .onConflict("seller_id")
      .merge({ destination, updated_at: this.db.fn.now() })
      .returning("*");
    return { sellerId: row.seller_id, destination: row.destination, updatedAt: row.updated_at };
  }

  async get(payoutId: string, db: Db | Knex.Transaction = this.db): Promise<Payout | undefined> {
    const row: PayoutRow | undefined = await db("payouts").where({ payout_id: payoutId }).first();
    return row && toPayout(row);
  }

  /** A seller's payouts, newest first, each with its place in the list; those before `before` when given. */
  async list(sellerId: string, before: bigint | undefined, limit: number): Promise<(Payout & { seq: bigint })[]> {
    const query = this.db("payouts").where({ seller_id: sellerId }).orderBy("seq", "desc").limit(limit);
    if (before !== undefined) query.where("seq", "<", before.toString());
    return (await query).map((row: PayoutRow & { seq: bigint }) => ({ ...toPayout(row), seq: row.seq }));
  }

  async payoutDestination(trx: Knex.Transaction, sellerId: string): Promise<string | undefined> {
    const account: { destination: string } | undefined = await trx("payout_accounts")
      .where({ seller_id: sellerId })
      .first("destination");
    return account?.destination;
  }

  /** See PayoutTransaction.takeSchedulerTurn: a transaction-scoped advisory lock. */
  async takeSchedulerTurn(trx: Knex.Transaction): Promise<boolean> {
    const { rows: lock } = await trx.raw("select pg_try_advisory_xact_lock(?) as ours", [SCHEDULER_LOCK_KEY]);
    return lock[0].ours;
  }

  /** See PayoutTransaction.payableBalances: the balance rows are locked for update. */
  async payableBalances(
    trx: Knex.Transaction,
    window: number,
    minimums: PayoutMinimums,
    limit: number,
  ): Promise<PayableBalance[]> {
    const byCurrency = Object.entries(minimums.byCurrency);
    const { rows } = await trx.raw<{
      rows: { seller_id: string; currency: string; available_minor: bigint; destination: string }[];
    }>(
      `select b.seller_id, b.currency, b.available_minor, a.destination
       from balances b
       join payout_accounts a on a.seller_id = b.seller_id
       left join unnest(?::text[], ?::bigint[]) as m (currency, minimum) on m.currency = b.currency
       where b.available_minor >= coalesce(m.minimum, ?) and b.available_minor > 0
         and not exists (select 1 from payouts p where p.seller_id = b.seller_id and p.currency = b.currency and p.schedule_window = ?)
       order by b.seller_id, b.currency
       limit ?
       for update of b`,
      [
        byCurrency.map(([currency]) => currency),
        byCurrency.map(([, minimum]) => minimum.toString()),
        minimums.otherwise.toString(),
        window,
        limit,
      ],
    );
    return rows.map((r) => ({
      sellerId: r.seller_id,
      currency: r.currency.trim(),
      availableMinor: r.available_minor,
      destination: r.destination,
    }));
  }

  /** See PayoutTransaction.open. */
  async open(
    trx: Knex.Transaction,
    request: PayoutRequest,
    destination: string,
    scheduleWindow?: number,
  ): Promise<AnnouncedPayout | undefined> {
    const [row]: PayoutRow[] = await trx("payouts")
      .insert({
        payout_id: request.payoutId,
        seller_id: request.sellerId,
        currency: request.amount.currency,
        amount_minor: request.amount.amountMinor,
        destination,
        status: "PENDING",
        schedule_window: scheduleWindow ?? null,
      })
      .onConflict("payout_id")
      .ignore()
      .returning("*");
    if (row === undefined) return undefined;
    const payout = toPayout(row);
    return { payout, eventId: await appendPayoutEvent(trx, payout) };
  }

  /** Remembers the PSP's id of a payout that is still on its way. */
  async recordPspPayout(payoutId: string, pspPayoutId: string): Promise<Payout> {
    const [row]: PayoutRow[] = await this.db("payouts")
      .where({ payout_id: payoutId })
      .update({ psp_payout_id: pspPayoutId, updated_at: this.db.fn.now() })
      .returning("*");
    return toPayout(present(row, `payout ${payoutId} exists to record its PSP payout id`));
  }

  /** See PayoutTransaction.settle. */
  async settle(
    trx: Knex.Transaction,
    payoutId: string,
    pspPayoutId: string | undefined,
    outcome: PayoutOutcome,
  ): Promise<AnnouncedPayout | undefined> {
    const failure = outcome.status === "FAILED" ? outcome.failure : undefined;
    const [row]: PayoutRow[] = await trx("payouts")
      .where({ payout_id: payoutId, status: "PENDING" })
      .update({
        status: outcome.status,
        psp_payout_id: trx.raw("coalesce(?, psp_payout_id)", [pspPayoutId ?? null]),
        failure_code: failure?.code ?? null,
        failure_message: failure?.message ?? null,
        updated_at: trx.fn.now(),
      })
      .returning("*");
    if (row === undefined) return undefined;
    const payout = toPayout(row);
    return { payout, eventId: await appendPayoutEvent(trx, payout) };
  }

  /**
   * Claims up to `limit` PENDING payouts untouched for `staleAfterMs` (see claimStaleRows).
   */
  async claimPending(staleAfterMs: number, limit: number): Promise<Payout[]> {
    const rows = await claimStaleRows<PayoutRow>(this.db, {
      table: "payouts",
      key: "payout_id",
      where: "status = 'PENDING'",
      returning: "*",
      staleAfterMs,
      limit,
    });
    return rows.map(toPayout);
  }
}
