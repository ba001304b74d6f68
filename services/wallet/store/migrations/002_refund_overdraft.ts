import type { Migration } from "../../../lib/db.js";

/**
 * A refund may take a seller's balance below zero (the seller owes the platform, later sales cover it); a payout
 * never may. A check constraint sees only the row, so the row records what changed it last.
 */
export const refundOverdraft: Migration = {
  name: "002_refund_overdraft",
  async up(db) {
    await db.raw(`
      alter table balances add column last_movement text not null default 'payin';
      alter table balances alter column last_movement drop default;
      alter table balances drop constraint never_negative;
      alter table balances add constraint payouts_never_overdraw check (available_minor >= 0 or last_movement <> 'payout')`);
  },
  async down(db) {
    await db.raw(`
      alter table balances drop constraint payouts_never_overdraw;
      alter table balances add constraint never_negative check (available_minor >= 0);
      alter table balances drop column last_movement`);
  },
};
