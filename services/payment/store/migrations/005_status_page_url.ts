import type { Migration } from "../../../lib/db.js";

export const statusPageUrl: Migration = {
  name: "005_status_page_url",
  async up(db) {
    // Fixed when the payment is created, so that every instance registers it at the PSP with the same body.
    await db.raw("alter table payments add column status_page_url text not null default ''");
    await db.raw("alter table payments alter column status_page_url drop default");
  },
  async down(db) {
    await db.raw("alter table payments drop column status_page_url");
  },
};
