import type { Migration } from "../../../lib/db.js";

export const walletTables: Migration = {
  name: "001_wallet_tables",
  async up(db) {
    await db.schema.createTable("balances", (t) => {
      t.text("seller_id").notNullable();
      t.specificType("currency", "char(3)").notNullable();
      t.bigInteger("available_minor").notNullable();
      t.timestamp("updated_at", { useTz: true }).notNullable().defaultTo(db.fn.now());
      t.primary(["seller_id", "currency"]);
    });
    await db.raw("alter table balances add constraint never_negative check (available_minor >= 0)");
    // Every change of a balance, with the event that caused it: the balance is their sum.
    await db.schema.createTable("movements", (t) => {
      t.bigIncrements("id");
      t.text("event_id").notNullable();
      t.text("seller_id").notNullable();
      t.specificType("currency", "char(3)").notNullable();
      t.bigInteger("amount_minor").notNullable();
      t.text("kind").notNullable();
      t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(db.fn.now());
      t.unique(["event_id", "seller_id", "currency"]);
    });
    await db.schema.createTable("inbox", (t) => {
      t.text("event_id").primary();
      t.timestamp("received_at", { useTz: true }).notNullable().defaultTo(db.fn.now());
    });
  },
  async down(db) {
    await db.schema.dropTable("inbox");
    await db.schema.dropTable("movements");
    await db.schema.dropTable("balances");
  },
};
