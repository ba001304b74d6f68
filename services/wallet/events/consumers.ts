import { ANY_DISPUTE_EVENT } from "../../contracts/events/dispute-event.js";
import { paymentEventSubject } from "../../contracts/events/payment-event.js";
import { refundEventSubject } from "../../contracts/events/refund-event.js";
import type { Db } from "../../lib/db.js";
import type { ConsumerBinding, Subscription } from "../../lib/events/event-consumers.js";
import type { WalletStore } from "../store/wallet-store.js";
import { WALLET_DISPUTE_DURABLE, walletDisputeHandler } from "./dispute-consumer.js";
import { WALLET_PAYIN_DURABLE, walletPayInHandler } from "./payin-consumer.js";
import { WALLET_REFUND_DURABLE, walletRefundHandler } from "./refund-consumer.js";

/** The wallet's durables and the subjects they read; its NATS user may consume exactly these. */
export const WALLET_CONSUMERS = [
  { durable: WALLET_PAYIN_DURABLE, subject: paymentEventSubject("SUCCEEDED") },
  { durable: WALLET_REFUND_DURABLE, subject: refundEventSubject("SUCCEEDED") },
  { durable: WALLET_DISPUTE_DURABLE, subject: ANY_DISPUTE_EVENT },
] as const satisfies readonly ConsumerBinding[];

export function walletSubscriptions(db: Db, balances: WalletStore): Subscription[] {
  const handlers = {
    [WALLET_PAYIN_DURABLE]: walletPayInHandler(db, balances),
    [WALLET_REFUND_DURABLE]: walletRefundHandler(db, balances),
    [WALLET_DISPUTE_DURABLE]: walletDisputeHandler(db, balances),
  };
  return WALLET_CONSUMERS.map((c) => ({ ...c, ...handlers[c.durable] }));
}
