import type { Migration } from "../../../lib/db.js";

/** Why a run's closing balances were not checked against the previous day's, kept on the run for GetRun. */
export const balanceCheckNote: Migration = {
  name: "005_balance_check_note",
  async up(db) {
    await db.raw(`
      -- Null: the closing balances were checked (a break is a balance_break exception).
      alter table runs add column balance_check_note text;
      -- Runs finished before this column existed: whether they were checked is not known.
      update runs set balance_check_note = 'not recorded: the run finished before the balance check was kept on runs; run the file again to check it'
        where status = 'finished';
    `);
  },
  async down(db) {
    await db.raw("alter table runs drop column balance_check_note");
  },
};
