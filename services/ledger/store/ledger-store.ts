import type { Knex } from "knex";
import type { Db } from "../../lib/db.js";
import type { Checkpoints } from "../app/ports.js";
import { alreadyExists, failedPrecondition, invalidArgument, notFound, type DomainError } from "../../lib/errors.js";
import { present } from "../../lib/invariant.js";
import { balanceOf } from "../domain/account.js";
import type { Account, Direction } from "../../contracts/accounting/accounts.js";
import type { InvariantReport, WalletBalance } from "../domain/invariants.js";
import { MAX_BATCH_POSTINGS, postingFingerprint, type PostedTransaction } from "../domain/posting.js";
import type { Entry, Posting } from "../../contracts/accounting/postings.js";
import { balancesQuery, type BalanceRow } from "./balances-query.js";
import { checkInvariants } from "./invariant-checks.js";
import {
  dailyRevenue,
  requireRevenueQuery,
  revenueReport,
  type DailyRevenue,
  type RevenuePeriod,
  type RevenueQuery,
} from "../domain/revenue.js";
import { requireCurrency } from "../../lib/validate.js";
import { revenueRows } from "./revenue-query.js";

export interface AccountBalance {
  account: Account;
  debits: bigint;
  credits: bigint;
  /** In the account's normal direction. */
  balance: bigint;
}

export interface PostedEntry {
  transactionId: string;
  entry: Entry;
  postedAt: Date;
}

/** Where a page of entries ends: the writing database transaction, then the entry's place in its transaction. */
export interface EntryCursor {
  xid: bigint;
  transactionId: string;
  position: number;
}

export interface EntryPage {
  entries: PostedEntry[];
  /** Set when more entries follow. */
  next?: EntryCursor;
}

/** Where a page of transaction ids ends: the posting time as PostgreSQL spells it (microseconds), then the id. */
export interface TransactionCursor {
  postedAt: string;
  transactionId: string;
}

export interface TransactionIdQuery {
  postedFrom: Date;
  postedBefore: Date;
  idPrefixes: string[];
  after?: TransactionCursor;
  limit: number;
}

export interface TransactionIdPage {
  transactionIds: string[];
  /** Set when more may follow. */
  next?: TransactionCursor;
}

/** A LIKE pattern matching what starts with `prefix`. */
const startsWith = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The entries of some transactions, flat: per transaction asked, in the order asked, how many entries follow (-1:
 * never posted); then per entry, transaction by transaction, its account, direction, amount and currency.
 */
export interface EntryColumns {
  counts: number[];
  accountCodes: string[];
  directions: Direction[];
  amountsMinor: bigint[];
  currencies: string[];
}

interface LookupRow {
  id: string;
  description: string;
  posted_ms: number;
  entries: [string, Direction, string, string][];
}

export type PostOutcome = "posted" | "already_posted";

/** A posting's answer in a batch: posted (now or before, same content), or why not. */
export type PostAnswer = { transaction: PostedTransaction; outcome: PostOutcome } | { error: DomainError };

interface BatchRow {
  outcome:
    | "posted"
    | "exists"
    | "conflict"
    | "unknown_account"
    | "currency_mismatch"
    | "too_few_entries"
    | "unbalanced"
    | null;
  posted_at: Date | null;
  refused_entry: number | null;
  account_currency: string | null;
  unbalanced: string | null;
}

interface PostRow {
  outcome: "posted" | "exists" | "conflict";
  posted_at: Date;
}

interface EntryRow {
  xid: string;
  position: number;
  transaction_id: string;
  account_code: string;
  direction: Direction;
  amount_minor: bigint;
  currency: string;
  posted_at: Date;
  description: string;
}

const toEntry = (row: EntryRow): Entry => ({
  accountCode: row.account_code,
  direction: row.direction,
  amount: { amountMinor: row.amount_minor, currency: row.currency },
});

const toBalance = (row: BalanceRow): AccountBalance => {
  const account = { code: row.code, type: row.type, currency: row.currency };
  const totals = { debits: row.debits_minor, credits: row.credits_minor };
  return { account, ...totals, balance: balanceOf(account.type, totals) };
};

/** An entry on an account that does not exist, or that holds another currency, as the caller's error. */
function accountError(entries: Entry[], index: number, accountCurrency: string | null): DomainError {
  const entry = present(
    entries[index],
    `the refused entry ${index} is a position in the posting (the database numbers them from 0)`,
  );
  return accountCurrency === null
    ? notFound(`entries[${index}].account_code: account "${entry.accountCode}" does not exist; open it first`)
    : failedPrecondition(
        `entries[${index}].amount.currency: account "${entry.accountCode}" holds ${accountCurrency}, not ${entry.amount.currency}`,
      );
}

/** The entries trigger's refusals (SQLSTATE LG001 / LG002, see 001_journal and 008), as the caller's errors. */
function accountRefusal(err: unknown, entries: Entry[]): DomainError | undefined {
  const { code, detail } = err as { code?: string; detail?: string };
  if (code !== "LG001" && code !== "LG002") return undefined;
  const refused = JSON.parse(detail ?? "{}") as { entry: number; account_currency: string | null };
  return accountError(entries, refused.entry, refused.account_currency);
}

const conflictError = (transactionId: string, postedAt: Date) =>
  alreadyExists(
    `transaction_id "${transactionId}" was already posted at ${postedAt.toISOString()} with different content; ` +
      "retry with the identical transaction, or use a new transaction_id",
  );

/** post_transactions' answer for one posting (008_post_transactions), as postMany answers it. */
function batchAnswer(posting: Posting, row: BatchRow): PostAnswer {
  switch (row.outcome) {
    case "posted":
    case "exists":
      return {
        transaction: { ...posting, postedAt: present(row.posted_at, "a transaction posted has its time") },
        outcome: row.outcome === "posted" ? "posted" : "already_posted",
      };
    case "conflict":
      return {
        error: conflictError(posting.transactionId, present(row.posted_at, "a transaction posted has its time")),
      };
    case "unknown_account":
    case "currency_mismatch":
      return {
        error: accountError(
          posting.entries,
          present(row.refused_entry, "an account refusal names its entry"),
          row.account_currency,
        ),
      };
    case "too_few_entries":
      return { error: invalidArgument("entries", `must contain at least 2 entries, got ${posting.entries.length}`) };
    case "unbalanced":
      return { error: invalidArgument("entries", `do not balance (minor units) in ${row.unbalanced}`) };
    case null:
      throw new Error(
        `post_transactions has no answer for "${posting.transactionId}": its id is taken by a transaction this snapshot cannot see`,
      );
  }
}

/**
 * The ledger's tables. Give it the pool, or a caller's transaction: every method then runs inside it, on its
 * connection, so that a consumer can record an event, open accounts and post in one database transaction.
 */
export class LedgerStore implements Checkpoints {
  constructor(private readonly db: Db | Knex.Transaction) {}

  /** Idempotent: an account already open with the same type and currency is returned; otherwise ALREADY_EXISTS. */
  async openAccount(account: Account): Promise<Account> {
    const [opened] = await this.openAccounts([account]);
    return present(opened, "openAccounts answers one account for each asked for");
  }

  /** openAccount for several accounts in one statement (in code order, so that concurrent callers cannot deadlock). */
  async openAccounts(accounts: Account[]): Promise<Account[]> {
    const wanted = [...new Map(accounts.map((a) => [a.code, a])).values()].sort((a, b) => (a.code < b.code ? -1 : 1));
    const { rows } = await this.db.raw<{ rows: Account[] }>(
      `with wanted (code, type, currency) as (select * from unnest(?::text[], ?::text[], ?::text[])),
       inserted as (
         insert into accounts (code, type, currency) select code, type, currency from wanted
         on conflict (code) do nothing
         returning code, type, currency)
       select code, type, currency from inserted
       union all
       select a.code, a.type, a.currency from accounts a join wanted w on w.code = a.code`,
      [wanted.map((a) => a.code), wanted.map((a) => a.type), wanted.map((a) => a.currency)],
    );
    const stored = new Map(rows.map((a) => [a.code, a]));
    // An account opened by a transaction that committed while this statement waited is not in its snapshot.
    const missed = wanted.filter((a) => !stored.has(a.code)).map((a) => a.code);
    if (missed.length > 0) {
      for (const a of await this.db<Account>("accounts").whereIn("code", missed).select("code", "type", "currency"))
        stored.set(a.code, a);
    }
    return accounts.map((a) => {
      const existing = present(
        stored.get(a.code),
        `account "${a.code}" is stored once opened: inserted, found, or read after the insert (accounts are never deleted)`,
      );
      if (existing.type !== a.type || existing.currency !== a.currency) {
        throw alreadyExists(
          `account "${a.code}" is already open as ${existing.type} in ${existing.currency}; an account keeps its type and currency`,
        );
      }
      return existing;
    });
  }

  async getAccount(code: string): Promise<Account | undefined> {
    return this.db<Account>("accounts").where({ code }).first("code", "type", "currency");
  }

  /**
   * Posts in one statement (one round trip, plus the commit when not inside a caller's transaction). Idempotent on
   * the transaction id: the same content again returns the transaction already posted; other content is
   * ALREADY_EXISTS. The posting must have passed validatePosting; the database enforces the same rules anyway.
   * An unknown account or one of another currency fails the statement (and so a caller's transaction).
   */
  async post(posting: Posting): Promise<{ transaction: PostedTransaction; outcome: PostOutcome }> {
    const { transactionId, entries } = posting;
    const { rows } = await this.db
      .raw<{ rows: PostRow[] }>(
        "select * from post_transaction(?, ?, ?, ?::text[], ?::text[], ?::text[], ?::bigint[])",
        [
          transactionId,
          posting.description,
          postingFingerprint(posting),
          entries.map((e) => e.accountCode),
          entries.map((e) => e.amount.currency),
          entries.map((e) => e.direction),
          entries.map((e) => e.amount.amountMinor.toString()),
        ],
      )
      // A named statement: each connection parses and plans it once, then only binds and executes it.
      .options({ name: "ledger_post_transaction" })
      .catch((err: unknown) => {
        throw accountRefusal(err, entries) ?? err;
      });
    const { outcome, posted_at: postedAt } = present(rows[0], "post_transaction answers one row");
    if (outcome === "conflict") throw conflictError(transactionId, postedAt);
    return { transaction: { ...posting, postedAt }, outcome: outcome === "posted" ? "posted" : "already_posted" };
  }

  /**
   * Posts up to MAX_BATCH_POSTINGS postings in one statement (one round trip, plus one commit when not inside a
   * caller's transaction), answering each in order as post() would have, had they been posted one after another:
   * posted, already_posted (same content under a taken id, taken before or by an earlier posting of the batch), or
   * its error (ALREADY_EXISTS for other content, NOT_FOUND / FAILED_PRECONDITION for an unknown account or one of
   * another currency, INVALID_ARGUMENT for too few entries or unbalanced ones). A refused posting is checked before
   * anything is written and leaves the others, and a caller's transaction, untouched. Each posting must have passed
   * validatePosting.
   */
  async postMany(postings: Posting[]): Promise<PostAnswer[]> {
    if (postings.length === 0) return [];
    if (postings.length > MAX_BATCH_POSTINGS)
      throw invalidArgument("postings", `must hold at most ${MAX_BATCH_POSTINGS}, got ${postings.length}`);
    const entries = postings.flatMap((p, item) => p.entries.map((entry) => ({ item: item + 1, entry })));
    const { rows } = await this.db
      .raw<{ rows: BatchRow[] }>(
        "select * from post_transactions(?::text[], ?::text[], ?::text[], ?::integer[], ?::text[], ?::text[], ?::text[], ?::bigint[])",
        [
          postings.map((p) => p.transactionId),
          postings.map((p) => p.description),
          postings.map(postingFingerprint),
          entries.map((e) => e.item),
          entries.map((e) => e.entry.accountCode),
          entries.map((e) => e.entry.amount.currency),
          entries.map((e) => e.entry.direction),
          entries.map((e) => e.entry.amount.amountMinor.toString()),
        ],
      )
      .options({ name: "ledger_post_transactions" });
    return postings.map((posting, i) =>
      batchAnswer(posting, present(rows[i], "post_transactions answers one row per transaction, in order")),
    );
  }

  async getTransaction(transactionId: string): Promise<PostedTransaction | undefined> {
    const [transaction] = await this.lookupTransactions([transactionId]);
    return transaction;
  }

  /**
   * The transactions of these ids that exist, in the order asked, with their entries (only those on accounts starting
   * with one of `accountPrefixes`, when given): one statement, one row per
   * transaction (the entries as JSON, the time as epoch milliseconds), which the driver reads much faster than a row
   * per entry (reconciliation looks up a million a day).
   */
  async lookupTransactions(transactionIds: string[], accountPrefixes: string[] = []): Promise<PostedTransaction[]> {
    const { rows } = await this.db.raw<{ rows: LookupRow[] }>(
      `select t.id, t.description, (extract(epoch from t.posted_at) * 1000)::float8 as posted_ms,
              (select coalesce(json_agg(json_build_array(e.account_code, e.direction, e.amount_minor::text, e.currency) order by e.position), '[]')
               from entries e where e.transaction_id = t.id and (cardinality(?::text[]) = 0 or e.account_code like any(?::text[]))) as entries
       from transactions t where t.id = any(?::text[])`,
      [accountPrefixes, accountPrefixes.map(startsWith), transactionIds],
    );
    const found = new Map(rows.map((row) => [row.id, row]));
    return transactionIds.flatMap((id) => {
      const row = found.get(id);
      if (row === undefined) return [];
      const entries = row.entries.map(
        ([accountCode, direction, amountMinor, currency]): Entry => ({
          accountCode,
          direction,
          amount: { amountMinor: BigInt(amountMinor), currency },
        }),
      );
      return [{ transactionId: id, description: row.description, postedAt: new Date(row.posted_ms), entries }];
    });
  }

  /**
   * The entries on accounts starting with one of `accountPrefixes` of these transactions, flat, for bulk readers: one
   * statement that answers one row, each column the values of the batch joined by commas (no ledger id, account
   * code, currency or amount holds one), which costs the driver a few string splits instead of a row or a JSON
   * document per transaction.
   */
  async lookupEntries(transactionIds: string[], accountPrefixes: string[]): Promise<EntryColumns> {
    type Joined = Record<"counts" | "account_codes" | "directions" | "amounts_minor" | "currencies", string | null>;
    const { rows } = await this.db.raw<{ rows: Joined[] }>(
      `select string_agg(coalesce(x.n, -1)::text, ',' order by a.ord) as counts,
              string_agg(x.accounts, ',' order by a.ord) as account_codes,
              string_agg(x.directions, ',' order by a.ord) as directions,
              string_agg(x.amounts, ',' order by a.ord) as amounts_minor,
              string_agg(x.currencies, ',' order by a.ord) as currencies
       from unnest(?::text[]) with ordinality as a (id, ord)
       left join transactions t on t.id = a.id
       left join lateral (
         select count(*)::int as n,
                string_agg(e.account_code, ',' order by e.position) as accounts,
                string_agg(e.direction, ',' order by e.position) as directions,
                string_agg(e.amount_minor::text, ',' order by e.position) as amounts,
                string_agg(e.currency, ',' order by e.position) as currencies
         from entries e where e.transaction_id = t.id and e.account_code like any(?::text[])
       ) x on t.id is not null`,
      [transactionIds, accountPrefixes.map(startsWith)],
    );
    const row = present(rows[0], "an aggregate answers one row");
    const split = (column: string | null) => (column === null ? [] : column.split(","));
    return {
      counts: split(row.counts).map(Number),
      accountCodes: split(row.account_codes),
      directions: split(row.directions) as Direction[],
      amountsMinor: split(row.amounts_minor).map(BigInt),
      currencies: split(row.currencies),
    };
  }

  /** Ids of the transactions posted in the window whose id starts with one of the prefixes, by (posted_at, id). */
  async listTransactionIds(query: TransactionIdQuery): Promise<TransactionIdPage> {
    const q = this.db("transactions")
      .where("posted_at", ">=", query.postedFrom)
      .where("posted_at", "<", query.postedBefore)
      .whereRaw("id like any(?::text[])", [query.idPrefixes.map(startsWith)])
      .orderBy(["posted_at", "id"])
      .limit(query.limit + 1)
      .select("id", this.db.raw("posted_at::text as posted_at_text"));
    if (query.after)
      q.whereRaw("(posted_at, id) > (?::timestamptz, ?)", [query.after.postedAt, query.after.transactionId]);
    const rows: { id: string; posted_at_text: string }[] = await q;
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      transactionIds: page.map((row) => row.id),
      next: rows.length > query.limit && last ? { postedAt: last.posted_at_text, transactionId: last.id } : undefined,
    };
  }

  /** Every transaction committed before the call counts; undefined for an account that does not exist. */
  async balance(accountCode: string): Promise<AccountBalance | undefined> {
    const [row] = await balancesQuery(this.db).where("a.code", accountCode);
    return row && toBalance(row);
  }

  /** Accounts with their balances by code, after `afterCode`, those starting with `prefix` when given. */
  async listBalances(query: { prefix?: string; afterCode?: string; limit: number }): Promise<AccountBalance[]> {
    const q = balancesQuery(this.db).orderBy("a.code").limit(query.limit);
    if (query.prefix !== undefined) q.whereRaw("starts_with(a.code, ?)", [query.prefix]);
    if (query.afterCode !== undefined) q.where("a.code", ">", query.afterCode);
    return (await q).map(toBalance);
  }

  /**
   * Entries oldest first, by (xid, transaction id, position), continuing after `after`. Only entries below the
   * current snapshot's xmin are listed: every database transaction below it has finished, so no entry can later
   * appear before a cursor already handed out, and paging to the end returns each entry exactly once.
   */
  async listEntries(query: { accountCode?: string; after?: EntryCursor; limit: number }): Promise<EntryPage> {
    // An entry's xid is its transaction's; each listing reads it where its index is.
    const xid = query.accountCode === undefined ? "t.xid" : "e.xid";
    const q = this.db("entries as e")
      .join("transactions as t", "t.id", "e.transaction_id")
      .whereRaw(`${xid} < pg_snapshot_xmin(pg_current_snapshot())`)
      .orderBy([xid, "e.transaction_id", "e.position"])
      .limit(query.limit + 1)
      .select(
        "e.xid",
        "e.transaction_id",
        "e.position",
        "e.account_code",
        "e.direction",
        "e.amount_minor",
        "e.currency",
        "t.posted_at",
      );
    if (query.accountCode !== undefined) q.where("e.account_code", query.accountCode);
    if (query.after) {
      const afterXid = query.after.xid.toString();
      // The first condition lets the index start at the cursor; the second picks up just after it.
      q.whereRaw(`${xid} >= ?::xid8`, [afterXid]);
      q.whereRaw(`(${xid}, e.transaction_id, e.position) > (?::xid8, ?, ?)`, [
        afterXid,
        query.after.transactionId,
        query.after.position,
      ]);
    }
    const rows: EntryRow[] = await q;
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      entries: page.map((row) => ({ transactionId: row.transaction_id, entry: toEntry(row), postedAt: row.posted_at })),
      next:
        rows.length > query.limit && last
          ? { xid: BigInt(last.xid), transactionId: last.transaction_id, position: last.position }
          : undefined,
    };
  }

  /**
   * Folds finished entries into the account checkpoints. Returns how many accounts moved, or undefined when
   * another instance's checkpointer is running.
   */
  async advanceCheckpoints(): Promise<number | undefined> {
    const { rows } = await this.db.raw<{ rows: { folded: number | null }[] }>("select advance_checkpoints() as folded");
    return present(rows[0], "a select of one function answers one row").folded ?? undefined;
  }

  /** Revenue of each period of the range, per currency, from the entries (through the daily rollups): ledger README, Revenue. */
  async revenue(query: RevenueQuery): Promise<RevenuePeriod[]> {
    return revenueReport(query, await revenueRows(this.db, query));
  }

  /**
   * One currency's gross charged and net revenue for every day from `fromDay` to `toDay` (YYYY-MM-DD, UTC,
   * inclusive, at most MAX_REVENUE_DAYS), zeros on days without any: the history a forecast starts from.
   */
  async dailyRevenueHistory(currency: string, fromDay: string, toDay: string): Promise<DailyRevenue[]> {
    const query = requireRevenueQuery({
      fromDay,
      toDay,
      granularity: "day",
      currency: requireCurrency("currency", currency),
    });
    return dailyRevenue(await this.revenue(query));
  }

  /** Checks the books; `wallets` (every seller's wallet balances) adds the wallet comparison. */
  async checkInvariants(wallets?: WalletBalance[]): Promise<InvariantReport> {
    return checkInvariants(this.db, wallets);
  }
}
