import type { Migration } from "../../../lib/db.js";

/** Ids of the events already consumed, written in the same database transaction as their effect. */
export const inbox: Migration = {
  name: "004_inbox",
  async up(db) {
    await db.raw(`
      create table inbox (
        event_id text primary key,
        received_at timestamptz not null default now()
      )
    `);
  },
  async down(db) {
    await db.raw("drop table inbox");
  },
};
