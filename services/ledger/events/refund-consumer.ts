import type { Db } from "../../lib/db.js";
import type { OnceHandlers } from "../../lib/events/apply-once.js";
import { decodeSucceededRefund } from "../../contracts/events/refund-event.js";
import { refundPosting } from "../domain/chart.js";
import { bookOncePerEvent } from "./book-once.js";

export const LEDGER_REFUND_DURABLE = "ledger-refunds";

/** Books a succeeded refund once per event. */
export function ledgerRefundHandler(db: Db): OnceHandlers {
  return bookOncePerEvent(db, decodeSucceededRefund, refundPosting);
}
