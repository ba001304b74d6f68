import type { Migration } from "../../../lib/db.js";

const STATUSES =
  "'NOT_STARTED','EXECUTING','PENDING','AUTHORIZED','SUCCEEDED','FAILED','VOIDED','PARTIALLY_REFUNDED','REFUNDED'";
const STATUSES_BEFORE = "'NOT_STARTED','EXECUTING','PENDING','SUCCEEDED','FAILED','PARTIALLY_REFUNDED','REFUNDED'";

export const manualCapture: Migration = {
  name: "007_manual_capture",
  async up(db) {
    await db.raw(`
      alter table payments
        add column capture_method text not null default 'AUTOMATIC'
          constraint capture_method_known check (capture_method in ('AUTOMATIC','MANUAL')),
        add column requested_total_minor bigint;
      update payments set requested_total_minor = total_minor;
      alter table payments alter column requested_total_minor set not null;
      alter table payment_orders
        add column requested_minor bigint,
        -- What CapturePayment asked the PSP to capture, applied when the capture is confirmed.
        add column capture_minor bigint constraint capture_positive check (capture_minor > 0);
      update payment_orders set requested_minor = amount_minor;
      alter table payment_orders
        alter column requested_minor set not null,
        add constraint charged_within_requested check (amount_minor <= requested_minor),
        drop constraint status_known,
        add constraint status_known check (status in (${STATUSES}));
      drop index payment_orders_in_flight;
      create index payment_orders_in_flight on payment_orders (payment_id) where status in ('NOT_STARTED','EXECUTING','PENDING','AUTHORIZED')`);
  },
  async down(db) {
    await db.raw(`
      drop index payment_orders_in_flight;
      create index payment_orders_in_flight on payment_orders (payment_id) where status in ('NOT_STARTED','EXECUTING','PENDING');
      alter table payment_orders
        drop constraint status_known,
        add constraint status_known check (status in (${STATUSES_BEFORE})),
        drop column requested_minor,
        drop column capture_minor;
      alter table payments drop column capture_method, drop column requested_total_minor`);
  },
};
