import type { JsMsg } from "@nats-io/jetstream";
import type { Db } from "../../lib/db.js";
import { applyOncePerEvent } from "../../lib/events/inbox.js";
import { PoisonMessage } from "../../lib/events/consumer.js";
import { DomainError } from "../../lib/errors.js";
import { payInPosting } from "../domain/chart.js";
import { LedgerStore } from "../store/ledger-store.js";

export const LEDGER_PAYIN_DURABLE = "ledger-payins";

/** Books a succeeded pay-in (DESIGN.md chart) once per event: inbox, accounts and posting commit together. */
export function ledgerPayInHandler(db: Db): (msg: JsMsg) => Promise<void> {
  return applyOncePerEvent(db, async (trx, event) => {
    let plan;
    try {
      plan = payInPosting({ paymentId: event.paymentId, currency: event.currency, orders: event.orders });
    } catch (err) {
      // An event the chart cannot book will never become bookable: dead-letter it for a person.
      if (err instanceof DomainError) throw new PoisonMessage(`cannot book payment ${event.paymentId}: ${err.message}`);
      throw err;
    }
    const store = new LedgerStore(trx);
    await store.openAccounts(plan.accounts);
    await store.post(plan.posting);
  });
}
