import { ANY_DISPUTE_EVENT } from "../../contracts/events/dispute-event.js";
import { paymentEventSubject } from "../../contracts/events/payment-event.js";
import { ANY_PAYOUT_EVENT } from "../../contracts/events/payout-event.js";
import { refundEventSubject } from "../../contracts/events/refund-event.js";
import type { Db } from "../../lib/db.js";
import type { ConsumerBinding, Subscription } from "../../lib/events/event-consumers.js";
import { LEDGER_DISPUTE_DURABLE, ledgerDisputeHandler } from "./dispute-consumer.js";
import { LEDGER_PAYIN_DURABLE, ledgerPayInHandler } from "./payin-consumer.js";
import { LEDGER_PAYOUT_DURABLE, ledgerPayoutHandler } from "./payout-consumer.js";
import { LEDGER_REFUND_DURABLE, ledgerRefundHandler } from "./refund-consumer.js";

/** The ledger's durables and the subjects they read; its NATS user may consume exactly these. */
export const LEDGER_CONSUMERS = [
  { durable: LEDGER_PAYIN_DURABLE, subject: paymentEventSubject("SUCCEEDED") },
  { durable: LEDGER_REFUND_DURABLE, subject: refundEventSubject("SUCCEEDED") },
  { durable: LEDGER_PAYOUT_DURABLE, subject: ANY_PAYOUT_EVENT },
  { durable: LEDGER_DISPUTE_DURABLE, subject: ANY_DISPUTE_EVENT },
] as const satisfies readonly ConsumerBinding[];

export function ledgerSubscriptions(db: Db): Subscription[] {
  const handlers = {
    [LEDGER_PAYIN_DURABLE]: ledgerPayInHandler(db),
    [LEDGER_REFUND_DURABLE]: ledgerRefundHandler(db),
    [LEDGER_PAYOUT_DURABLE]: ledgerPayoutHandler(db),
    [LEDGER_DISPUTE_DURABLE]: ledgerDisputeHandler(db),
  };
  return LEDGER_CONSUMERS.map((c) => ({ ...c, ...handlers[c.durable] }));
}
