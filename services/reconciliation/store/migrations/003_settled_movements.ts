import type { Migration } from "../../../lib/db.js";

/**
 * Which settlement day settled each movement (line type and ledger transaction): a movement is settled once, by the
 * first day whose run matched it, whichever later day's file names it again (that line is 'already_settled').
 */
export const settledMovements: Migration = {
  name: "003_settled_movements",
  async up(db) {
    await db.raw(`
      create table settled_movements (
        line_type text not null,
        transaction_id text not null,
        settlement_date text not null,
        -- The execution of the day's run that last matched it; the day's claims no later execution made are released.
        run_id bigint not null references runs (id),
        execution integer not null,
        primary key (line_type, transaction_id)
      );
      create index settled_movements_date on settled_movements (settlement_date);

      alter table exceptions drop constraint exceptions_class_check;
      alter table exceptions add constraint exceptions_class_check
        check (class in ('missing_in_ledger', 'missing_in_file', 'amount_mismatch', 'currency_mismatch', 'duplicate_line', 'already_settled', 'malformed_line'));
    `);
  },
  async down(db) {
    await db.raw(`
      delete from exceptions where class = 'already_settled';
      alter table exceptions drop constraint exceptions_class_check;
      alter table exceptions add constraint exceptions_class_check
        check (class in ('missing_in_ledger', 'missing_in_file', 'amount_mismatch', 'currency_mismatch', 'duplicate_line', 'malformed_line'));
      drop table settled_movements;
    `);
  },
};
