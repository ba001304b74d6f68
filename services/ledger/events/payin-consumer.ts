import type { Db } from "../../lib/db.js";
import type { OnceHandlers } from "../../lib/events/apply-once.js";
import { decodePaymentEvent } from "../../contracts/events/payment-event.js";
import { payInPosting } from "../domain/chart.js";
import { bookOncePerEvent } from "./book-once.js";

export const LEDGER_PAYIN_DURABLE = "ledger-payins";

/** Books a succeeded pay-in once per event. */
export function ledgerPayInHandler(db: Db): OnceHandlers {
  return bookOncePerEvent(db, decodePaymentEvent, (event) =>
    payInPosting({ paymentId: event.paymentId, currency: event.currency, orders: event.orders }),
  );
}
