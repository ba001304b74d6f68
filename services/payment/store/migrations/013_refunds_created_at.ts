import type { Migration } from "../../../lib/db.js";

/** Refunds by creation time, for the ledger's check that every succeeded refund was booked (GetPipelineHealth). */
export const refundsCreatedAt: Migration = {
  name: "013_refunds_created_at",
  async up(db) {
    await db.raw("create index refunds_created_at on refunds (created_at)");
  },
  async down(db) {
    await db.raw("drop index refunds_created_at");
  },
};
