import type { Migration } from "../../../lib/db.js";

export const idempotencyKeys: Migration = {
  name: "004_idempotency_keys",
  async up(db) {
    // The first answer to CreatePayment under each checkout_id, replayed byte for byte until it expires.
    await db.schema.createTable("idempotency_keys", (t) => {
      t.text("key").primary();
      t.text("request_fingerprint").notNullable();
      t.text("payment_id").notNullable().references("id").inTable("payments");
      t.binary("response").notNullable();
      t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(db.fn.now());
      t.timestamp("expires_at", { useTz: true }).notNullable().index();
    });
  },
  async down(db) {
    await db.schema.dropTable("idempotency_keys");
  },
};
