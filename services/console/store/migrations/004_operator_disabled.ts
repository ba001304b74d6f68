import type { Migration } from "../../../lib/db.js";

/** A disabled operator keeps their row (the audit log names them) but cannot log in or use a session. */
export const operatorDisabled: Migration = {
  name: "004_operator_disabled",
  async up(db) {
    await db.raw("alter table operators add column disabled_at timestamptz");
  },
  async down(db) {
    await db.raw("alter table operators drop column disabled_at");
  },
};
