import type { Migration } from "../../../lib/db.js";

const STATUSES = "'NOT_STARTED','EXECUTING','PENDING','SUCCEEDED','FAILED','PARTIALLY_REFUNDED','REFUNDED'";

export const paymentTables: Migration = {
  name: "001_payments",
  async up(db) {
    await db.schema.createTable("payments", (t) => {
      t.text("id").primary();
      // Insertion order, for stable newest-first pagination.
      t.bigIncrements("seq", { primaryKey: false }).unique();
      t.text("checkout_id").notNullable().unique();
      t.text("request_fingerprint").notNullable();
      t.text("buyer_id").notNullable();
      t.text("buyer_country").notNullable();
      t.text("return_url").notNullable();
      t.specificType("currency", "char(3)").notNullable();
      t.bigInteger("total_minor").notNullable();
      t.text("risk_decision");
      t.jsonb("risk_reasons");
      t.text("review_outcome");
      t.text("reviewer");
      t.text("review_note");
      t.text("psp_payment_id").unique();
      t.text("hosted_page_url");
      t.text("failure_reason");
      t.text("decline_code");
      t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(db.fn.now());
      t.timestamp("updated_at", { useTz: true }).notNullable().defaultTo(db.fn.now());
      // Last time the in-flight poller asked the PSP about it.
      t.timestamp("polled_at", { useTz: true });
      t.index(["buyer_id", "seq"]);
    });
    await db.raw(`
      alter table payments
        add constraint total_positive check (total_minor > 0),
        add constraint risk_decision_known check (risk_decision in ('APPROVE','REVIEW','REJECT')),
        add constraint review_outcome_known check (review_outcome in ('APPROVED','REJECTED')),
        add constraint review_only_after_review check (review_outcome is null or risk_decision = 'REVIEW')`);
    await db.schema.createTable("payment_orders", (t) => {
      t.text("payment_id").notNullable().references("id").inTable("payments");
      t.text("order_id").notNullable();
      // The order's place in the checkout as the caller sent it.
      t.smallint("position").notNullable();
      t.text("seller_id").notNullable();
      t.bigInteger("amount_minor").notNullable();
      t.text("status").notNullable();
      t.primary(["payment_id", "order_id"]);
    });
    await db.raw(`
      alter table payment_orders
        add constraint amount_positive check (amount_minor > 0),
        add constraint status_known check (status in (${STATUSES}))`);
    // The poller looks for checkouts still in flight.
    await db.raw(
      "create index payment_orders_in_flight on payment_orders (payment_id) where status in ('NOT_STARTED','EXECUTING','PENDING')",
    );
  },
  async down(db) {
    await db.schema.dropTable("payment_orders");
    await db.schema.dropTable("payments");
  },
};
