import type { Migration } from "../../../lib/db.js";

export const disputes: Migration = {
  name: "008_disputes",
  async up(db) {
    await db.schema.createTable("disputes", (t) => {
      // The PSP's dispute id.
      t.text("id").primary();
      t.text("payment_id").notNullable().references("id").inTable("payments").index();
      t.specificType("currency", "char(3)").notNullable();
      t.bigInteger("amount_minor").notNullable();
      t.text("status").notNullable();
      t.text("reason").notNullable();
      t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(db.fn.now());
      t.timestamp("updated_at", { useTz: true }).notNullable().defaultTo(db.fn.now());
    });
    await db.raw(`
      alter table disputes
        add constraint dispute_amount_positive check (amount_minor > 0),
        add constraint dispute_status_known check (status in ('OPEN','WON','LOST'))`);
    await db.schema.createTable("dispute_shares", (t) => {
      t.text("dispute_id").notNullable().references("id").inTable("disputes");
      t.text("order_id").notNullable();
      t.text("seller_id").notNullable();
      t.bigInteger("amount_minor").notNullable();
      t.primary(["dispute_id", "order_id"]);
    });
    await db.raw("alter table dispute_shares add constraint share_positive check (amount_minor > 0)");
  },
  async down(db) {
    await db.schema.dropTable("dispute_shares");
    await db.schema.dropTable("disputes");
  },
};
