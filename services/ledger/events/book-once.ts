import type { Db } from "../../lib/db.js";
import { DomainError } from "../../lib/errors.js";
import { applyOnce, type OnceHandlers } from "../../lib/events/apply-once.js";
import { PoisonMessage } from "../../lib/events/consumer.js";
import type { PostingPlan } from "../../contracts/accounting/postings.js";
import { LedgerStore } from "../store/ledger-store.js";

/**
 * Handlers that book each event once (services/ledger/README.md, Events booked): inbox, accounts and posting commit
 * together, for one event or a batch. An event the chart refuses will never become bookable: it is dead-lettered
 * for a person.
 */
export function bookOncePerEvent<E extends { eventId: string }>(
  db: Db,
  decode: (bytes: Uint8Array) => E,
  plan: (event: E) => PostingPlan,
): OnceHandlers {
  const planOrPoison = (event: E): PostingPlan => {
    try {
      return plan(event);
    } catch (err) {
      if (err instanceof DomainError) throw new PoisonMessage(`cannot book event ${event.eventId}: ${err.message}`);
      throw err;
    }
  };
  return applyOnce(
    db,
    decode,
    (trx, event) => book(new LedgerStore(trx), [planOrPoison(event)]),
    (trx, events) => book(new LedgerStore(trx), events.map(planOrPoison)),
  );
}

/**
 * Opens the accounts of all `plans` in one statement (in code order: two batches opening the same new accounts
 * cannot deadlock), then posts them in one more. A posting the books refuse fails the whole call, so that a batch
 * rolls back and its events are booked one at a time (services/lib/events/consumer.ts, processBatch).
 */
async function book(store: LedgerStore, plans: readonly PostingPlan[]): Promise<void> {
  await store.openAccounts(plans.flatMap((p) => p.accounts));
  for (const answer of await store.postMany(plans.map((p) => p.posting))) if ("error" in answer) throw answer.error;
}
