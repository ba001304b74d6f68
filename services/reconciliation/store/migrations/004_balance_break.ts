import type { Migration } from "../../../lib/db.js";

const CLASSES_BEFORE =
  "'missing_in_ledger', 'missing_in_file', 'amount_mismatch', 'currency_mismatch', 'duplicate_line', 'already_settled', 'malformed_line'";

/** A closing balance that is not the previous day's plus the day's movements is an exception of its own class. */
export const balanceBreak: Migration = {
  name: "004_balance_break",
  async up(db) {
    await db.raw(`
      alter table exceptions drop constraint exceptions_class_check;
      alter table exceptions add constraint exceptions_class_check check (class in (${CLASSES_BEFORE}, 'balance_break'));
    `);
  },
  async down(db) {
    await db.raw(`
      delete from exceptions where class = 'balance_break';
      alter table exceptions drop constraint exceptions_class_check;
      alter table exceptions add constraint exceptions_class_check check (class in (${CLASSES_BEFORE}));
    `);
  },
};
