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

/** One event's changes to the balances of `currency`; `kind` names the cause ("payin", "refund", ...): only a payout may not overdraw. */
export interface WalletMove {
  eventId: string;
  currency: string;
  changes: readonly BalanceChange[];
  kind: string;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const toBalance = (r: BalanceRow): Balance => ({
  sellerId: r.seller_id,
  currency: r.currency.trim(),
  availableMinor: r.available_minor,
  updatedAt: r.updated_at,
});

export class WalletStore {
  constructor(private readonly db: Db) {}

  /** Applies one event's changes inside the caller's transaction (see moveMany). */
  async move(
    trx: Knex.Transaction,
    eventId: string,
    currency: string,
    changes: BalanceChange[],
    kind: string,
  ): Promise<void> {
    await this.moveMany(trx, [{ eventId, currency, changes, kind }]);
  }

  /**
   * Applies the changes of several events inside the caller's transaction, each with its movement, in two
   * statements whatever their number. The balance rows are locked by one statement in (seller, currency) order, so
   * that two transactions moving overlapping sellers wait on each other in line, never in a circle.
   */
  async moveMany(trx: Knex.Transaction, moves: readonly WalletMove[]): Promise<void> {
    const movements = moves.flatMap(({ eventId, currency, changes, kind }) =>
      changes.map(({ sellerId, amountMinor }) => ({
        event_id: eventId,
        seller_id: sellerId,
        currency,
        amount_minor: amountMinor,
        kind,
      })),
    );
    if (movements.length === 0) return;
    await trx("movements").insert(movements);
    // One row per wallet (an upsert may not touch a row twice), in wallet order; the stable sort keeps each
    // wallet's movements in the order given, so its last movement is the last one's kind.
    const byWallet = new Map<
      string,
      { seller_id: string; currency: string; available_minor: bigint; last_movement: string }
    >();
    for (const m of [...movements].sort(
      (a, b) => compare(a.seller_id, b.seller_id) || compare(a.currency, b.currency),
    )) {
      const key = `${m.seller_id}\u0000${m.currency}`;
      const sum = (byWallet.get(key)?.available_minor ?? 0n) + m.amount_minor;
      byWallet.set(key, { seller_id: m.seller_id, currency: m.currency, available_minor: sum, last_movement: m.kind });
    }
    await trx("balances")
      .insert([...byWallet.values()])
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
