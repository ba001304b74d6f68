import type { Migration } from "../../../lib/db.js";

/** Payouts by creation time, for the ledger's check that every paid payout was booked (GetPipelineHealth). */
export const payoutsCreatedAt: Migration = {
  name: "005_payouts_created_at",
  async up(db) {
    await db.raw("create index payouts_created_at on payouts (created_at)");
  },
  async down(db) {
    await db.raw("drop index payouts_created_at");
  },
};
