import type { Db } from "../../lib/db.js";
import { DomainError } from "../../lib/errors.js";
import { applyOnce } from "../../lib/events/apply-once.js";
import { PoisonMessage, type EventHandler } from "../../lib/events/consumer.js";
import type { PostingPlan } from "../../contracts/accounting/postings.js";
import { LedgerStore } from "../store/ledger-store.js";

/**
 * A handler that books each event once (services/ledger/README.md, Events booked): inbox, accounts and posting commit together. An event
 * the chart refuses will never become bookable: it is dead-lettered for a person.
 */
export function bookOncePerEvent<E extends { eventId: string }>(
  db: Db,
  decode: (bytes: Uint8Array) => E,
  plan: (event: E) => PostingPlan,
): EventHandler {
  return applyOnce(db, decode, async (trx, event) => {
    let planned: PostingPlan;
    try {
      planned = plan(event);
    } catch (err) {
      if (err instanceof DomainError) throw new PoisonMessage(`cannot book event ${event.eventId}: ${err.message}`);
      throw err;
    }
    const store = new LedgerStore(trx);
    await store.openAccounts(planned.accounts);
    await store.post(planned.posting);
  });
}
