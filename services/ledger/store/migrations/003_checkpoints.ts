import type { Migration } from "../../../lib/db.js";

/** Only one checkpointer runs at a time across instances (key of a transaction-scoped advisory lock). */
export const CHECKPOINTER_LOCK_KEY = 7_291_046_388_112_345n;

/**
 * advance_checkpoints(): returns the number of accounts folded, or null when another checkpointer holds the lock.
 * `alsoFold` is PL/pgSQL run with the same horizons (old_horizon, new_horizon) before the horizon moves, for what
 * later migrations derive from the entries alongside the checkpoints (007_revenue_days).
 */
export function advanceCheckpointsFunction(alsoFold = ""): string {
  return `
      create or replace function advance_checkpoints() returns integer language plpgsql as $$
      declare
        old_horizon xid8;
        new_horizon xid8;
        folded integer;
      begin
        if not pg_try_advisory_xact_lock(${CHECKPOINTER_LOCK_KEY}) then
          return null;
        end if;
        select horizon into old_horizon from checkpoint_horizon;
        new_horizon := pg_snapshot_xmin(pg_current_snapshot());
        if new_horizon <= old_horizon then
          return 0;
        end if;
        insert into account_checkpoints as c (account_code, horizon, debits_minor, credits_minor)
          select e.account_code, new_horizon,
                 coalesce(sum(e.amount_minor) filter (where e.direction = 'DEBIT'), 0),
                 coalesce(sum(e.amount_minor) filter (where e.direction = 'CREDIT'), 0)
          from transactions t
          join entries e on e.transaction_id = t.id
          where t.xid >= old_horizon and t.xid < new_horizon
          group by e.account_code
          on conflict (account_code) do update
            set horizon = excluded.horizon,
                debits_minor = c.debits_minor + excluded.debits_minor,
                credits_minor = c.credits_minor + excluded.credits_minor;
        get diagnostics folded = row_count;
        ${alsoFold}
        update checkpoint_horizon set horizon = new_horizon;
        return folded;
      end $$;
`;
}

/**
 * Balances without a hot row: posting only inserts, and account_checkpoints holds, per account, the sums of its
 * entries below a horizon. advance_checkpoints() folds in the entries between the last horizon and the current
 * snapshot's xmin: every database transaction below that xmin has finished, so no entry can appear there later
 * and the fold is final. A balance is its checkpoint plus the account's entries at or above the checkpoint's
 * horizon. An account folded at an earlier run keeps its earlier horizon: it has no entries in between.
 */
export const checkpoints: Migration = {
  name: "003_checkpoints",
  async up(db) {
    await db.raw(`
      create table account_checkpoints (
        account_code text primary key references accounts (code),
        horizon xid8 not null,
        debits_minor bigint not null,
        credits_minor bigint not null
      );

      create table checkpoint_horizon (
        singleton boolean primary key default true check (singleton),
        horizon xid8 not null
      );
      insert into checkpoint_horizon (horizon) values ('0');

      ${advanceCheckpointsFunction()}
    `);
  },
  async down(db) {
    await db.raw(`
      drop function advance_checkpoints();
      drop table checkpoint_horizon;
      drop table account_checkpoints;
    `);
  },
};
