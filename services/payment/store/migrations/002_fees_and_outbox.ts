import type { Migration } from "../../../lib/db.js";

export const feesAndOutbox: Migration = {
  name: "002_fees_and_outbox",
  async up(db) {
    await db.raw(`
      alter table payments add column platform_fee_bps integer not null default 0
        constraint fee_bps_range check (platform_fee_bps between 0 and 10000);
      alter table payments alter column platform_fee_bps drop default;
      alter table payment_orders add column platform_fee_minor bigint not null default 0
        constraint fee_within_amount check (platform_fee_minor between 0 and amount_minor);
      alter table payment_orders alter column platform_fee_minor drop default`);
    // Events written in the same transaction as the status change they announce; the relay publishes them.
    await db.schema.createTable("outbox", (t) => {
      t.bigIncrements("id");
      t.text("event_id").notNullable().unique();
      t.text("payment_id").notNullable();
      t.text("subject").notNullable();
      t.binary("payload").notNullable();
      t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(db.fn.now());
      t.timestamp("published_at", { useTz: true });
    });
    await db.raw("create index outbox_unpublished on outbox (id) where published_at is null");
  },
  async down(db) {
    await db.schema.dropTable("outbox");
    await db.raw(
      "alter table payment_orders drop column platform_fee_minor; alter table payments drop column platform_fee_bps",
    );
  },
};
