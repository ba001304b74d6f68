import type { Migration } from "../../../lib/db.js";

/**
 * What makes runs safe to interrupt and to repeat: the cut of each run's file (an older cut must not undo a newer
 * one), the execution that last found each exception, settlement postings recorded before they are posted, and an
 * adjustment's whole posting recorded on its exception before it is posted.
 */
export const crashSafeRuns: Migration = {
  name: "002_crash_safe_runs",
  async up(db) {
    await db.raw(`
      -- When the PSP cut the run's file; null: the whole day.
      alter table runs add column cut_at timestamptz;

      alter table exceptions add column last_execution integer not null default 1;
      -- While 'adjusting': the adjustment (posting, who, why, key) being posted; it moves to adjustments once posted.
      alter table exceptions add column pending_adjustment jsonb;
      alter table exceptions drop constraint exceptions_status_check;
      alter table exceptions add constraint exceptions_status_check check (status in ('open', 'auto_fixed', 'adjusting', 'adjusted'));

      -- pending: recorded, maybe not yet in the ledger; the next run of the day posts it before anything else.
      alter table settlement_postings add column status text not null default 'posted' check (status in ('pending', 'posted'));

      alter table adjustments add column description text not null default '';
    `);
  },
  async down(db) {
    await db.raw(`
      alter table adjustments drop column description;
      alter table settlement_postings drop column status;
      alter table exceptions drop constraint exceptions_status_check;
      alter table exceptions add constraint exceptions_status_check check (status in ('open', 'auto_fixed', 'adjusted'));
      alter table exceptions drop column pending_adjustment;
      alter table exceptions drop column last_execution;
      alter table runs drop column cut_at;
    `);
  },
};
