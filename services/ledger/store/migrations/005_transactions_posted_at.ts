import type { Migration } from "../../../lib/db.js";

/** Transactions by posting time, for reconciliation's listing of a day's transactions (pages by posted_at, id). */
export const transactionsPostedAt: Migration = {
  name: "005_transactions_posted_at",
  async up(db) {
    await db.raw("create index transactions_posted_at on transactions (posted_at, id)");
  },
  async down(db) {
    await db.raw("drop index transactions_posted_at");
  },
};
