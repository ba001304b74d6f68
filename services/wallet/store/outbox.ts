import type { Knex } from "knex";
import { appendOutboxEvent } from "../../lib/events/outbox-write.js";
import type { Payout } from "../domain/payout.js";
import { encodePayoutEvent, payoutEventSubject } from "../../contracts/events/payout-event.js";

/** The wallet's outbox (its own table, its own relay lock); a seller's payout events stay in order. */
export const WALLET_OUTBOX = { table: "outbox", aggregateColumn: "seller_id", lockKey: 0x3a11e75 };

/**
 * Writes the event announcing the payout's status, inside the transaction that moved it; the relay publishes it.
 * Returns the event id, which also names the balance movement the change made, if any.
 */
export function appendPayoutEvent(trx: Knex.Transaction, payout: Payout): Promise<string> {
  return appendOutboxEvent(trx, WALLET_OUTBOX.table, {
    subject: payoutEventSubject(payout.status),
    about: { payout_id: payout.payoutId, seller_id: payout.sellerId },
    encode: (eventId) => encodePayoutEvent(payout, eventId),
  });
}
