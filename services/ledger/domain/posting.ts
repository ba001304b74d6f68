import { createHash } from "node:crypto";
import { invalidArgument } from "../../lib/errors.js";
import { formatMoney, MAX_MINOR_UNITS, type Money } from "../../lib/money.js";
import { requirePositiveMoney } from "../../lib/validate.js";
import { requireLedgerId, type Direction } from "./account.js";

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

export interface PostedTransaction extends Posting {
  postedAt: Date;
}

/** A transaction as the caller sent it, before validation (field names follow the API). */
export interface PostingInput {
  transactionId: string;
  description: string;
  entries: { accountCode: string; direction: Direction | undefined; amount: Money | undefined }[];
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

/** Checks everything that can be checked without the accounts; the store checks that they exist in that currency. */
export function validatePosting(input: PostingInput): Posting {
  const transactionId = requireLedgerId("transaction_id", input.transactionId);
  if (input.description.length > MAX_DESCRIPTION_LENGTH) {
    throw invalidArgument("description", `must be at most ${MAX_DESCRIPTION_LENGTH} characters, got ${input.description.length}`);
  }
  if (input.entries.length < MIN_ENTRIES) {
    throw invalidArgument("entries", `must contain at least ${MIN_ENTRIES} entries (a debit and a credit), got ${input.entries.length}`);
  }
  if (input.entries.length > MAX_ENTRIES) throw invalidArgument("entries", `must contain at most ${MAX_ENTRIES} entries, got ${input.entries.length}`);
  const entries = input.entries.map((entry, i) => validateEntry(`entries[${i}]`, entry));

  for (const [currency, { debits, credits }] of totalsPerCurrency(entries)) {
    if (debits > MAX_MINOR_UNITS || credits > MAX_MINOR_UNITS) throw invalidArgument("entries", `the ${currency} total is too large`);
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

/** Identifies a transaction's content behind its id: the same description and entries, in order, hash the same. */
export function postingFingerprint(posting: Posting): string {
  const canonical = JSON.stringify([
    posting.description,
    posting.entries.map((e) => [e.accountCode, e.direction, e.amount.amountMinor.toString(), e.amount.currency]),
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}
