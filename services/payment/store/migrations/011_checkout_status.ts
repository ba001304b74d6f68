import type { Migration } from "../../../lib/db.js";

/** A payment's checkout status from its orders: the status they share, else a partial refund; null without orders. */
const CHECKOUT_STATUS_OF = (paymentId: string) =>
  `(select case when min(status) = max(status) then min(status) else 'PARTIALLY_REFUNDED' end
    from payment_orders where payment_id = ${paymentId} having count(*) > 0)`;

/**
 * The checkout's status kept on the payment, so that listings, counts and stats read one row per payment. A trigger
 * sets it from the orders whenever the payment row is written, which every status change does after moving the
 * orders (to stamp updated_at): no extra row version, and right whichever code, or version of it, wrote them.
 */
export const checkoutStatus: Migration = {
  name: "011_checkout_status",
  async up(db) {
    await db.raw(`
      alter table payments add column checkout_status text not null default 'NOT_STARTED';
      update payments p set checkout_status = coalesce(${CHECKOUT_STATUS_OF("p.id")}, 'NOT_STARTED');
      create index payments_checkout_status on payments (checkout_status, seq);

      create function payments_checkout_status() returns trigger language plpgsql as $$
      begin
        new.checkout_status := coalesce(${CHECKOUT_STATUS_OF("new.id")}, new.checkout_status);
        return new;
      end $$;
      create trigger payments_checkout_status before update on payments
        for each row execute function payments_checkout_status();
    `);
  },
  async down(db) {
    await db.raw(`
      drop trigger payments_checkout_status on payments;
      drop function payments_checkout_status();
      alter table payments drop column checkout_status;
    `);
  },
};
