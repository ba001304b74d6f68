import type { Knex } from "knex";
import type { AccountType } from "../../contracts/accounting/accounts.js";

export interface BalanceRow {
  code: string;
  type: AccountType;
  currency: string;
  debits_minor: bigint;
  credits_minor: bigint;
}

/**
 * Accounts with their total debits and credits: the checkpoint plus the entries at or above its horizon, read in
 * one statement, hence one snapshot. Narrow it with a where clause on "a".
 */
export function balancesQuery(db: Knex): Knex.QueryBuilder<BalanceRow, BalanceRow[]> {
  return db("accounts as a")
    .leftJoin("account_checkpoints as c", "c.account_code", "a.code")
    .joinRaw(
      `cross join lateral (
         select coalesce(sum(e.amount_minor) filter (where e.direction = 'DEBIT'), 0) as debits,
                coalesce(sum(e.amount_minor) filter (where e.direction = 'CREDIT'), 0) as credits
         from entries e
         where e.account_code = a.code and e.xid >= coalesce(c.horizon, '0')
       ) as recent`,
    )
    .select(
      "a.code",
      "a.type",
      "a.currency",
      db.raw("(coalesce(c.debits_minor, 0) + recent.debits)::bigint as debits_minor"),
      db.raw("(coalesce(c.credits_minor, 0) + recent.credits)::bigint as credits_minor"),
    );
}
