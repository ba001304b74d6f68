import type { Db } from "../../lib/db.js";
import { applyOnce } from "../../lib/events/apply-once.js";
import type { EventHandler } from "../../lib/events/consumer.js";
import { decodeDisputeEvent } from "../../contracts/events/dispute-event.js";
import { disputeChanges } from "../domain/balance-changes.js";
import type { WalletStore } from "../store/wallet-store.js";

export const WALLET_DISPUTE_DURABLE = "wallet-disputes";

/** Withholds each seller's share of an opened dispute and gives it back when won, once per event. */
export function walletDisputeHandler(db: Db, store: WalletStore): EventHandler {
  return applyOnce(db, decodeDisputeEvent, (trx, event) =>
    store.move(trx, event.eventId, event.currency, disputeChanges(event), "dispute"),
  );
}
