import type { Db } from "../../lib/db.js";
import type { OnceHandlers } from "../../lib/events/apply-once.js";
import { decodePayoutEvent } from "../../contracts/events/payout-event.js";
import { payoutPosting } from "../domain/chart.js";
import { bookOncePerEvent } from "./book-once.js";

export const LEDGER_PAYOUT_DURABLE = "ledger-payouts";

/** Books each step of a payout (requested, paid, failed) once per event. */
export function ledgerPayoutHandler(db: Db): OnceHandlers {
  return bookOncePerEvent(db, decodePayoutEvent, payoutPosting);
}
