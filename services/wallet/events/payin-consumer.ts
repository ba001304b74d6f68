import type { Db } from "../../lib/db.js";
import { applyOnce } from "../../lib/events/apply-once.js";
import type { EventHandler } from "../../lib/events/consumer.js";
import { decodePaymentEvent } from "../../contracts/events/payment-event.js";
import { payInCredits } from "../domain/balance-changes.js";
import type { WalletStore } from "../store/wallet-store.js";

export const WALLET_PAYIN_DURABLE = "wallet-payins";

/** Credits each seller's wallet with the net of a succeeded pay-in, once per event. */
export function walletPayInHandler(db: Db, store: WalletStore): EventHandler {
  return applyOnce(db, decodePaymentEvent, (trx, event) =>
    store.move(trx, event.eventId, event.currency, payInCredits(event), "payin"),
  );
}
