import { invalidArgument } from "../../lib/errors.js";
import { formatMoney, MAX_MINOR_UNITS, type Money } from "../../lib/money.js";
import { requirePositiveMoney } from "../../lib/validate.js";
import { requireLedgerId, type Account, type Direction } from "./accounts.js";

export const MIN_ENTRIES = 2;
export const MAX_ENTRIES = 500;
export const MAX_DESCRIPTION_LENGTH = 1000;

export interface Entry {
  accountCode: string;
  direction: Direction;
  /** Strictly positive. */
  amount: Money;
}

/** A transaction ready to post: 2..500 strictly positive entries whose debits equal credits in every currency. */
export interface Posting {
  transactionId: string;
  description: string;
  entries: Entry[];
}

/** A transaction as the caller sent it, before validation (field names follow the API). */
export interface PostingInput {
  transactionId: string;
  description: string;
  entries: { accountCode: string; direction: Direction | undefined; amount: Money | undefined }[];
}

/** A posting and the accounts it needs open. */
export interface PostingPlan {
  posting: Posting;
  accounts: Account[];
}

function validateEntry(field: string, entry: PostingInput["entries"][number]): Entry {
  const accountCode = requireLedgerId(`${field}.account_code`, entry.accountCode);
  if (entry.direction === undefined) throw invalidArgument(`${field}.direction`, "is required (DEBIT or CREDIT)");
  return { accountCode, direction: entry.direction, amount: requirePositiveMoney(`${field}.amount`, entry.amount) };
}

interface Totals {
  debits: bigint;
  credits: bigint;
}

function totalsPerCurrency(entries: Entry[]): Map<string, Totals> {
  const totals = new Map<string, Totals>();
  for (const { direction, amount } of entries) {
    const sums = totals.get(amount.currency) ?? { debits: 0n, credits: 0n };
    if (direction === "DEBIT") sums.debits += amount.amountMinor;
    else sums.credits += amount.amountMinor;
    totals.set(amount.currency, sums);
  }
  return totals;
}

/** Checks everything that can be checked without the accounts; the ledger's store checks that they exist in that currency. */
export function validatePosting(input: PostingInput): Posting {
  const transactionId = requireLedgerId("transaction_id", input.transactionId);
  if (input.description.length > MAX_DESCRIPTION_LENGTH) {
    throw invalidArgument(
      "description",
      `must be at most ${MAX_DESCRIPTION_LENGTH} characters, got ${input.description.length}`,
    );
  }
  if (input.entries.length < MIN_ENTRIES) {
    throw invalidArgument(
      "entries",
      `must contain at least ${MIN_ENTRIES} entries (a debit and a credit), got ${input.entries.length}`,
    );
  }
  if (input.entries.length > MAX_ENTRIES)
    throw invalidArgument("entries", `must contain at most ${MAX_ENTRIES} entries, got ${input.entries.length}`);
  const entries = input.entries.map((entry, i) => validateEntry(`entries[${i}]`, entry));

  for (const [currency, { debits, credits }] of totalsPerCurrency(entries)) {
    if (debits > MAX_MINOR_UNITS || credits > MAX_MINOR_UNITS)
      throw invalidArgument("entries", `the ${currency} total is too large`);
    if (debits !== credits) {
      throw invalidArgument(
        "entries",
        `do not balance in ${currency}: debits ${formatMoney({ amountMinor: debits, currency })}, ` +
          `credits ${formatMoney({ amountMinor: credits, currency })}; debits must equal credits in every currency`,
      );
    }
  }
  return { transactionId, description: input.description, entries };
}

/** One entry of a planned posting, in the posting's currency. */
export type PostingLine = [Account, Direction, bigint];

/** Entries are strictly positive: zero amounts are left out. */
export const nonZeroLines = (lines: PostingLine[]): PostingLine[] =>
  lines.filter(([, , amountMinor]) => amountMinor !== 0n);

export const entriesOf = (currency: string, lines: PostingLine[]): Entry[] =>
  lines.map(
    ([account, direction, amountMinor]): Entry => ({
      accountCode: account.code,
      direction,
      amount: { amountMinor, currency },
    }),
  );

/** The posting of `lines`, zero amounts left out, with the accounts it needs open. */
export function planOf(
  transactionId: string,
  description: string,
  currency: string,
  lines: PostingLine[],
): PostingPlan {
  const kept = nonZeroLines(lines);
  return {
    posting: { transactionId, description, entries: entriesOf(currency, kept) },
    accounts: kept.map(([account]) => account),
  };
}

/** One line per account from its net move (debit minus credit): a debit when positive, a credit when negative. */
export const netLines = (moves: [Account, bigint][]): PostingLine[] =>
  moves.map(([account, amount]) => (amount >= 0n ? [account, "DEBIT", amount] : [account, "CREDIT", -amount]));
