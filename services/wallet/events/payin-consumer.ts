import type { JsMsg } from "@nats-io/jetstream";
import type { Db } from "../../lib/db.js";
import { applyOncePerEvent } from "../../lib/events/inbox.js";
import { payInCredits } from "../domain/credits.js";
import type { WalletStore } from "../store/wallet-store.js";

export const WALLET_PAYIN_DURABLE = "wallet-payins";

/** Credits each seller's wallet with the net of a succeeded pay-in, once per event. */
export function walletPayInHandler(db: Db, store: WalletStore): (msg: JsMsg) => Promise<void> {
  return applyOncePerEvent(db, (trx, event) => store.credit(trx, event.eventId, event.currency, payInCredits(event), "payin"));
}
