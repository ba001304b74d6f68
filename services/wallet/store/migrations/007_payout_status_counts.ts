import type { Migration } from "../../../lib/db.js";
import {
  dropStatusCountsSql,
  recountStatuses,
  statusCountsSql,
  type CountedStatuses,
} from "../../../lib/status-counts.js";

const PAYOUT_STATUS_COUNTS: CountedStatuses = {
  table: "payouts",
  status: "status",
  key: "payout_id",
  counts: "payout_status_counts",
};

/** payouts{status} read from counts kept as payouts change, instead of counting every payout at each scrape. */
export const payoutStatusCounts: Migration = {
  name: "007_payout_status_counts",
  async up(db) {
    await db.raw(statusCountsSql(PAYOUT_STATUS_COUNTS));
    // The triggers' lock on payouts holds writes back until this commits: none is counted twice or missed.
    await recountStatuses(db, PAYOUT_STATUS_COUNTS);
  },
  async down(db) {
    await db.raw(dropStatusCountsSql(PAYOUT_STATUS_COUNTS));
  },
};
