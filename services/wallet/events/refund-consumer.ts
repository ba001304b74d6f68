import type { Db } from "../../lib/db.js";
import type { OnceHandlers } from "../../lib/events/apply-once.js";
import { decodeSucceededRefund } from "../../contracts/events/refund-event.js";
import { refundDebits } from "../domain/balance-changes.js";
import type { WalletStore } from "../store/wallet-store.js";
import { moveOncePerEvent } from "./move-once.js";

export const WALLET_REFUND_DURABLE = "wallet-refunds";

/** Debits the seller's wallet by the seller's part of a succeeded refund, once per event; it may go below zero. */
export function walletRefundHandler(db: Db, store: WalletStore): OnceHandlers {
  return moveOncePerEvent(db, store, decodeSucceededRefund, "refund", refundDebits);
}
