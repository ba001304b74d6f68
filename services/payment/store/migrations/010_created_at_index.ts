import type { Migration } from "../../../lib/db.js";

/** Payment stats read payments by when they were created. */
export const createdAtIndex: Migration = {
  name: "010_created_at_index",
  async up(db) {
    await db.raw("create index payments_created_at on payments (created_at)");
  },
  async down(db) {
    await db.raw("drop index payments_created_at");
  },
};
