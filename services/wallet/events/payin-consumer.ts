import type { Db } from "../../lib/db.js";
import type { OnceHandlers } from "../../lib/events/apply-once.js";
import { decodePaymentEvent } from "../../contracts/events/payment-event.js";
import { payInCredits } from "../domain/balance-changes.js";
import type { WalletStore } from "../store/wallet-store.js";
import { moveOncePerEvent } from "./move-once.js";

export const WALLET_PAYIN_DURABLE = "wallet-payins";

/** Credits each seller's wallet with the net of a succeeded pay-in, once per event. */
export function walletPayInHandler(db: Db, store: WalletStore): OnceHandlers {
  return moveOncePerEvent(db, store, decodePaymentEvent, "payin", payInCredits);
}
