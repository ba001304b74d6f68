import type { Migration } from "../../../lib/db.js";
import { advanceCheckpointsFunction, CHECKPOINTER_LOCK_KEY } from "./003_checkpoints.js";

/**
 * Revenue by day without scanning the journal: revenue_entries says which figure each entry counts in (see the
 * ledger README, Revenue), and revenue_days holds those figures summed per UTC day of posting, currency and figure
 * for the entries below the checkpoint horizon. advance_checkpoints() folds them in the same database transaction
 * that moves the horizon, so a reader (one statement: revenue_days plus the entries at or above the horizon) never
 * counts an entry twice or misses one. Posting stays insert-only: a trigger keeping a row per day would make every
 * pay-in of the day wait on that row's lock. Existing entries are folded here by the same function.
 */
export const revenueDays: Migration = {
  name: "007_revenue_days",
  async up(db) {
    await db.raw(`
      create view revenue_entries as
        select t.xid, t.posted_at, (t.posted_at at time zone 'UTC')::date as day, e.currency, c.figure,
               case when c.signed and e.direction = 'CREDIT' then -e.amount_minor else e.amount_minor end as amount_minor
        from transactions t
        join entries e on e.transaction_id = t.id
        cross join lateral (
          select case
                   when e.account_code = 'psp_receivable:' || e.currency then
                     case when e.direction = 'DEBIT' and starts_with(t.id, 'payin:') then 'gross_charged'
                          when e.direction = 'CREDIT' and starts_with(t.id, 'refund:') then 'refunds'
                          when e.direction = 'CREDIT' and starts_with(t.id, 'dispute:') and t.id like '%:lost' then 'disputes_lost'
                     end
                   when e.account_code = 'platform_fee_revenue:' || e.currency then
                     case e.direction when 'CREDIT' then 'platform_fee_revenue' else 'fees_reversed' end
                   when e.account_code = 'psp_fee_expense:' || e.currency then 'psp_fees'
                   when e.account_code = 'reconciliation_differences:' || e.currency then 'reconciliation_differences'
                 end as figure,
                 -- Expenses count debits minus credits: a later settlement run may take back a fee.
                 e.account_code in ('psp_fee_expense:' || e.currency, 'reconciliation_differences:' || e.currency) as signed
        ) as c
        where c.figure is not null;

      create table revenue_days (
        day date not null,
        currency text not null,
        figure text not null,
        amount_minor bigint not null,
        primary key (day, currency, figure)
      );

      create function fold_revenue_days(from_xid xid8, to_xid xid8) returns void language sql as $$
        insert into revenue_days as r (day, currency, figure, amount_minor)
          select day, currency, figure, sum(amount_minor)::bigint from revenue_entries
          where xid >= from_xid and xid < to_xid
          group by day, currency, figure
          on conflict (day, currency, figure) do update set amount_minor = r.amount_minor + excluded.amount_minor
      $$;

      ${advanceCheckpointsFunction("perform fold_revenue_days(old_horizon, new_horizon);")}

      -- The entries already below the horizon, with the checkpointer kept out meanwhile.
      select pg_advisory_xact_lock(${CHECKPOINTER_LOCK_KEY});
      select fold_revenue_days('0', horizon) from checkpoint_horizon;
    `);
  },
  async down(db) {
    await db.raw(`
      ${advanceCheckpointsFunction()}
      drop function fold_revenue_days(xid8, xid8);
      drop table revenue_days;
      drop view revenue_entries;
    `);
  },
};
