import type { Knex } from "knex";
import type { Migration } from "../../../lib/db.js";
import {
  dropStatusCountsSql,
  recountStatuses,
  statusCountsSql,
  type CountedStatuses,
} from "../../../lib/status-counts.js";

const PAYMENT_STATUS_COUNTS: CountedStatuses = {
  table: "payments",
  status: "checkout_status",
  key: "id",
  counts: "payment_status_counts",
};

/** After payments were written with the triggers off (a bulk load): their status counts anew. */
export const recountPaymentStatuses = (db: Knex | Knex.Transaction) => recountStatuses(db, PAYMENT_STATUS_COUNTS);

/** payments{status} read from counts kept as payments change (after the checkout_status trigger has set it). */
export const paymentStatusCounts: Migration = {
  name: "016_payment_status_counts",
  async up(db) {
    await db.raw(statusCountsSql(PAYMENT_STATUS_COUNTS));
    // The triggers' lock on payments holds writes back until this commits: none is counted twice or missed.
    await recountPaymentStatuses(db);
  },
  async down(db) {
    await db.raw(dropStatusCountsSql(PAYMENT_STATUS_COUNTS));
  },
};
