import type { Knex } from "knex";
import { balanceOf } from "../domain/account.js";
import { SELLER_PAYABLE_PREFIX } from "../../contracts/accounting/accounts.js";
import {
  accountMismatchViolation,
  checkpointViolation,
  currencySumViolation,
  orphanEntryViolation,
  revenueDayViolation,
  tooFewEntriesViolation,
  unbalancedTransactionViolation,
  walletViolations,
  type InvariantReport,
  type Violation,
  type WalletBalance,
} from "../domain/invariants.js";
import { balancesQuery } from "./balances-query.js";

/** Beyond this many violations of one kind, the report lists the first ones and says so in a note. */
const MAX_VIOLATIONS_PER_CHECK = 100;

const DEBITS = "coalesce(sum(amount_minor) filter (where direction = 'DEBIT'), 0)::bigint";
const CREDITS = "coalesce(sum(amount_minor) filter (where direction = 'CREDIT'), 0)::bigint";
const SUMS = `${DEBITS} as debits, ${CREDITS} as credits`;
const UNBALANCED = `${DEBITS} <> ${CREDITS}`;

interface Sums {
  debits: bigint;
  credits: bigint;
}

interface Check<Row> {
  name: string;
  /** Selects the rows that break the invariant. */
  sql: string;
  violation(row: Row): Violation;
}

// Each check is one statement, so it reads one consistent snapshot even while postings go on.
const checks: Check<unknown>[] = [
  {
    name: "every currency sums to zero",
    sql: `select currency, ${SUMS} from entries group by currency having ${UNBALANCED} order by currency`,
    violation: (r: Sums & { currency: string }) => currencySumViolation(r.currency, r.debits, r.credits),
  },
  {
    name: "every transaction balances in every currency",
    sql: `select transaction_id, currency, ${SUMS} from entries group by transaction_id, currency having ${UNBALANCED}
          order by transaction_id, currency`,
    violation: (r: Sums & { transaction_id: string; currency: string }) =>
      unbalancedTransactionViolation(r.transaction_id, r.currency, r.debits, r.credits),
  },
  {
    name: "every transaction has at least 2 entries",
    sql: `select t.id, count(e.transaction_id)::integer as entries from transactions t left join entries e on e.transaction_id = t.id
          group by t.id having count(e.transaction_id) < 2 order by t.id`,
    violation: (r: { id: string; entries: number }) => tooFewEntriesViolation(r.id, r.entries),
  },
  {
    name: "no entry without a transaction",
    sql: `select e.transaction_id, e.position, e.account_code from entries e
          where not exists (select 1 from transactions t where t.id = e.transaction_id) order by e.transaction_id, e.position`,
    violation: (r: { transaction_id: string; position: number; account_code: string }) =>
      orphanEntryViolation(r.transaction_id, r.position, r.account_code),
  },
  {
    name: "every entry is on an account of its currency",
    sql: `select e.transaction_id, e.position, e.account_code, e.currency, a.currency as account_currency
          from entries e left join accounts a on a.code = e.account_code
          where a.currency is distinct from e.currency order by e.transaction_id, e.position`,
    violation: (r: {
      transaction_id: string;
      position: number;
      account_code: string;
      currency: string;
      account_currency: string | null;
    }) =>
      accountMismatchViolation(
        { transactionId: r.transaction_id, position: r.position, accountCode: r.account_code, currency: r.currency },
        r.account_currency ?? undefined,
      ),
  },
  {
    name: "every checkpoint equals the entries below its horizon",
    sql: `select c.account_code, a.currency, c.debits_minor, c.credits_minor, below.debits, below.credits
          from account_checkpoints c
          join accounts a on a.code = c.account_code
          cross join lateral (select ${SUMS} from entries e where e.account_code = c.account_code and e.xid < c.horizon) as below
          where (c.debits_minor, c.credits_minor) <> (below.debits, below.credits)
          order by c.account_code`,
    violation: (r: Sums & { account_code: string; currency: string; debits_minor: bigint; credits_minor: bigint }) =>
      checkpointViolation(r.account_code, r.currency, { debits: r.debits_minor, credits: r.credits_minor }, r),
  },
  {
    name: "every daily revenue rollup equals its entries below the horizon",
    sql: `select day::text, currency, figure, r.amount_minor as rollup_minor, e.amount_minor as entries_minor
          from revenue_days r
          full join (select day, currency, figure, sum(amount_minor)::bigint as amount_minor from revenue_entries
                     where xid < (select horizon from checkpoint_horizon) group by day, currency, figure) as e using (day, currency, figure)
          where r.amount_minor is distinct from e.amount_minor
          order by day, currency, figure`,
    violation: (r: {
      day: string;
      currency: string;
      figure: string;
      rollup_minor: bigint | null;
      entries_minor: bigint | null;
    }) => revenueDayViolation(r.day, r.currency, r.figure, r.rollup_minor ?? undefined, r.entries_minor ?? undefined),
  },
];

async function runCheck(db: Knex, check: Check<unknown>, report: InvariantReport): Promise<void> {
  const { rows } = await db.raw(`select * from (${check.sql}) as broken limit ?`, [MAX_VIOLATIONS_PER_CHECK + 1]);
  report.violations.push(...rows.slice(0, MAX_VIOLATIONS_PER_CHECK).map(check.violation));
  if (rows.length > MAX_VIOLATIONS_PER_CHECK)
    report.notes.push(`"${check.name}": only the first ${MAX_VIOLATIONS_PER_CHECK} violations are listed`);
}

async function compareWallets(db: Knex, wallets: WalletBalance[] | undefined, report: InvariantReport): Promise<void> {
  if (wallets === undefined) {
    report.notes.push(
      "wallet balances were not compared with the seller_payable accounts: no wallet service is configured",
    );
    return;
  }
  const payables = await balancesQuery(db).whereRaw("starts_with(a.code, ?)", [SELLER_PAYABLE_PREFIX]);
  const violations = walletViolations(
    payables.map((p) => ({
      accountCode: p.code,
      balanceMinor: balanceOf(p.type, { debits: p.debits_minor, credits: p.credits_minor }),
    })),
    wallets,
  );
  report.violations.push(...violations.slice(0, MAX_VIOLATIONS_PER_CHECK));
  if (violations.length > MAX_VIOLATIONS_PER_CHECK) {
    report.notes.push(
      `wallets: ${violations.length - MAX_VIOLATIONS_PER_CHECK} more seller balances differ from their seller_payable accounts than are listed`,
    );
  }
}

/** Checks every invariant of services/ledger/README.md (CheckInvariants) that the ledger can see, plus its own checkpoints. */
export async function checkInvariants(db: Knex, wallets: WalletBalance[] | undefined): Promise<InvariantReport> {
  const report: InvariantReport = { violations: [], notes: [] };
  for (const check of checks) await runCheck(db, check, report);
  await compareWallets(db, wallets, report);
  return report;
}
