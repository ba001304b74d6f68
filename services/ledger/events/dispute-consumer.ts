import type { Db } from "../../lib/db.js";
import type { OnceHandlers } from "../../lib/events/apply-once.js";
import { decodeDisputeEvent } from "../../contracts/events/dispute-event.js";
import { disputePosting } from "../domain/chart.js";
import { bookOncePerEvent } from "./book-once.js";

export const LEDGER_DISPUTE_DURABLE = "ledger-disputes";

/** Books each step of a dispute (opened, won, lost) once per event. */
export function ledgerDisputeHandler(db: Db): OnceHandlers {
  return bookOncePerEvent(db, decodeDisputeEvent, disputePosting);
}
