import type { Migration } from "../../../lib/db.js";

/**
 * The checkout's status kept on the payment (it is the status its orders share, else a partial refund), written
 * with every status change, so that listings, counts and stats read one row per payment.
 */
export const checkoutStatus: Migration = {
  name: "011_checkout_status",
  async up(db) {
    await db.raw(`
      alter table payments add column checkout_status text;
      update payments p set checkout_status = coalesce(
        (select case when min(status) = max(status) then min(status) else 'PARTIALLY_REFUNDED' end
         from payment_orders where payment_id = p.id),
        'NOT_STARTED');
      alter table payments alter column checkout_status set not null;
      create index payments_checkout_status on payments (checkout_status, seq);
    `);
  },
  async down(db) {
    await db.raw("alter table payments drop column checkout_status");
  },
};
