import type { Migration } from "../../../lib/db.js";

export const refunds: Migration = {
  name: "006_refunds",
  async up(db) {
    await db.schema.createTable("refunds", (t) => {
      // The caller's idempotency key.
      t.text("id").primary();
      t.text("request_fingerprint").notNullable();
      t.text("payment_id").notNullable().references("id").inTable("payments");
      t.text("order_id").notNullable();
      t.text("seller_id").notNullable();
      t.specificType("currency", "char(3)").notNullable();
      t.bigInteger("amount_minor").notNullable();
      t.bigInteger("platform_fee_reversed_minor").notNullable();
      t.text("status").notNullable();
      t.text("psp_refund_id").unique();
      t.text("reason").notNullable();
      t.text("failure_reason");
      t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(db.fn.now());
      t.timestamp("updated_at", { useTz: true }).notNullable().defaultTo(db.fn.now());
      // Last time the refund poller asked the PSP about it.
      t.timestamp("polled_at", { useTz: true });
      t.foreign(["payment_id", "order_id"]).references(["payment_id", "order_id"]).inTable("payment_orders");
      t.index(["payment_id", "created_at"]);
    });
    await db.raw(`
      alter table refunds
        add constraint refund_amount_positive check (amount_minor > 0),
        add constraint refund_fee_within_amount check (platform_fee_reversed_minor between 0 and amount_minor),
        add constraint refund_status_known check (status in ('PENDING','SUCCEEDED','FAILED'))`);
    await db.raw("create index refunds_pending on refunds (updated_at) where status = 'PENDING'");
  },
  async down(db) {
    await db.schema.dropTable("refunds");
  },
};
