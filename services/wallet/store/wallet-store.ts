import type { Knex } from "knex";
import type { Db } from "../../lib/db.js";
import type { Money } from "../../lib/money.js";
import type { BalanceChange } from "../domain/balance-changes.js";

export interface Balance {
  sellerId: string;
  currency: string;
  availableMinor: bigint;
  updatedAt: Date;
}

interface BalanceRow {
  seller_id: string;
  currency: string;
  available_minor: bigint;
  updated_at: Date;
}

const toBalance = (r: BalanceRow): Balance => ({
  sellerId: r.seller_id,
  currency: r.currency.trim(),
  availableMinor: r.available_minor,
  updatedAt: r.updated_at,
});

export class WalletStore {
  constructor(private readonly db: Db) {}

  /**
   * Applies the changes inside the caller's transaction, each with its movement, in two statements. Each seller's
   * row is locked only for its own update, in seller order, so that two events moving the same sellers never wait on
   * each other in a circle. `kind` names the cause ("payin", "refund", ...): only a payout may not overdraw.
   */
  async move(
    trx: Knex.Transaction,
    eventId: string,
    currency: string,
    changes: BalanceChange[],
    kind: string,
  ): Promise<void> {
    if (changes.length === 0) return;
    await trx("movements").insert(
      changes.map(({ sellerId, amountMinor }) => ({
        event_id: eventId,
        seller_id: sellerId,
        currency,
        amount_minor: amountMinor,
        kind,
      })),
    );
    // One row per seller (an upsert may not touch a row twice), in seller order.
    const bySeller = new Map<string, bigint>();
    for (const { sellerId, amountMinor } of [...changes].sort((a, b) =>
      a.sellerId < b.sellerId ? -1 : a.sellerId > b.sellerId ? 1 : 0,
    )) {
      bySeller.set(sellerId, (bySeller.get(sellerId) ?? 0n) + amountMinor);
    }
    await trx("balances")
      .insert(
        [...bySeller].map(([sellerId, amountMinor]) => ({
          seller_id: sellerId,
          currency,
          available_minor: amountMinor,
          last_movement: kind,
        })),
      )
      .onConflict(["seller_id", "currency"])
      .merge({
        available_minor: trx.raw("balances.available_minor + excluded.available_minor"),
        last_movement: trx.raw("excluded.last_movement"),
        updated_at: trx.fn.now(),
      });
  }

  /**
   * Takes `amountMinor` for a payout inside the caller's transaction, only if the balance holds it: one conditional
   * update, which waits for a concurrent payout's lock and then re-checks, so that payouts never overdraw.
   * Returns whether it was taken and, when not, what is available.
   */
  async withdraw(
    trx: Knex.Transaction,
    eventId: string,
    sellerId: string,
    money: Money,
  ): Promise<{ withdrawn: true } | { withdrawn: false; availableMinor: bigint }> {
    const { amountMinor, currency } = money;
    const taken = await trx("balances")
      .where({ seller_id: sellerId, currency })
      .whereRaw("available_minor >= ?::bigint", [amountMinor.toString()])
      .update({
        available_minor: trx.raw("available_minor - ?::bigint", [amountMinor.toString()]),
        last_movement: "payout",
        updated_at: trx.fn.now(),
      });
    if (taken === 0) {
      const row: Pick<BalanceRow, "available_minor"> | undefined = await trx("balances")
        .where({ seller_id: sellerId, currency })
        .first("available_minor");
      return { withdrawn: false, availableMinor: row?.available_minor ?? 0n };
    }
    await trx("movements").insert({
      event_id: eventId,
      seller_id: sellerId,
      currency,
      amount_minor: -amountMinor,
      kind: "payout",
    });
    return { withdrawn: true };
  }

  async balance(sellerId: string, currency: string): Promise<Balance | undefined> {
    const row: BalanceRow | undefined = await this.db("balances").where({ seller_id: sellerId, currency }).first();
    return row && toBalance(row);
  }

  /** By seller then currency, strictly after `after`. */
  async list(filter: {
    sellerId?: string;
    after?: { sellerId: string; currency: string };
    limit: number;
  }): Promise<Balance[]> {
    const query = this.db("balances").orderBy(["seller_id", "currency"]).limit(filter.limit);
    if (filter.sellerId) query.where({ seller_id: filter.sellerId });
    if (filter.after) query.whereRaw("(seller_id, currency) > (?, ?)", [filter.after.sellerId, filter.after.currency]);
    return (await query).map(toBalance);
  }
}
