import type { Migration } from "../../../lib/db.js";

export const embedOrigins: Migration = {
  name: "015_embed_origins",
  async up(db) {
    // Registered at the PSP as they were asked for: every instance registers the payment with the same body.
    await db.raw("alter table payments add column embed_origins text[] not null default '{}'");
  },
  async down(db) {
    await db.raw("alter table payments drop column embed_origins");
  },
};
