import type { Migration } from "../../../lib/db.js";

/** What an operator's timeline of a payment reads: the webhooks received, and indexes to find a payment's rows. */
export const timeline: Migration = {
  name: "009_timeline",
  async up(db) {
    await db.raw(`
      -- Every verified PSP webhook and what our endpoint did with it (a log for people, not part of the money).
      create table webhook_deliveries (
        id bigserial primary key,
        event_id text not null,
        type text not null,
        psp_payment_id text not null,
        outcome text not null,
        received_at timestamptz not null default now()
      );
      create index webhook_deliveries_psp_payment on webhook_deliveries (psp_payment_id, id);
      create index outbox_payment on outbox (payment_id, id);
      create index payment_orders_seller on payment_orders (seller_id, payment_id);
    `);
  },
  async down(db) {
    await db.raw(`
      drop index payment_orders_seller;
      drop index outbox_payment;
      drop table webhook_deliveries;
    `);
  },
};
