import type { Db } from "../../lib/db.js";
import type { OnceHandlers } from "../../lib/events/apply-once.js";
import { decodeDisputeEvent } from "../../contracts/events/dispute-event.js";
import { disputeChanges } from "../domain/balance-changes.js";
import type { WalletStore } from "../store/wallet-store.js";
import { moveOncePerEvent } from "./move-once.js";

export const WALLET_DISPUTE_DURABLE = "wallet-disputes";

/** Withholds each seller's share of an opened dispute and gives it back when won, once per event. */
export function walletDisputeHandler(db: Db, store: WalletStore): OnceHandlers {
  return moveOncePerEvent(db, store, decodeDisputeEvent, "dispute", disputeChanges);
}
