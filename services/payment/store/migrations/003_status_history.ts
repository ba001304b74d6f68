import type { Migration } from "../../../lib/db.js";

export const statusHistory: Migration = {
  name: "003_status_history",
  async up(db) {
    await db.raw(`
      alter table payments add column pending_reason text
        constraint pending_reason_known check (pending_reason in ('THREE_D_SECURE','MANUAL_REVIEW'))`);
    // Every status a payment moved to, in order: what WatchPayment replays, and the audit trail of a payment.
    await db.schema.createTable("status_history", (t) => {
      t.bigIncrements("id");
      t.text("payment_id").notNullable().references("id").inTable("payments");
      t.text("status").notNullable();
      t.timestamp("occurred_at", { useTz: true }).notNullable();
      t.index(["payment_id", "id"]);
    });
  },
  async down(db) {
    await db.schema.dropTable("status_history");
    await db.raw("alter table payments drop column pending_reason");
  },
};
