import { formatMoney, type Money } from "../../lib/money.js";
import type { FoundException, Run } from "./exception.js";
import { previousDate } from "./settlement-day.js";

/** A currency whose closing balance is not the previous day's plus the day's movements. */
export interface BalanceBreak {
  currency: string;
  /** The previous day's closing balance plus the day's movements. */
  expected: bigint;
  /** The file's closing balance. */
  closing: bigint;
  /** closing - expected. */
  difference: bigint;
}

/**
 * Checks that each currency's balance chains: the previous closing balance plus the net of the day's movements is the
 * file's closing balance. A currency missing on either day counts as a balance of 0 there (a new or emptied currency).
 */
export function balanceBreaks(
  previousClosing: readonly Money[],
  movementsNet: ReadonlyMap<string, bigint>,
  closing: readonly Money[],
): BalanceBreak[] {
  const previous = new Map(previousClosing.map((b) => [b.currency, b.amountMinor]));
  const now = new Map(closing.map((b) => [b.currency, b.amountMinor]));
  const currencies = [...new Set([...previous.keys(), ...movementsNet.keys(), ...now.keys()])].sort();
  return currencies.flatMap((currency) => {
    const expected = (previous.get(currency) ?? 0n) + (movementsNet.get(currency) ?? 0n);
    const closingBalance = now.get(currency) ?? 0n;
    return expected === closingBalance
      ? []
      : [{ currency, expected, closing: closingBalance, difference: closingBalance - expected }];
  });
}

/**
 * Whether `date`'s closing balances can be checked: against those of `previous` (the latest run finished before it,
 * when it is of the day before and both files have closing balances), or else why not, for people.
 */
export function balanceCheckOf(
  date: string,
  previous: Pick<Run, "date" | "closingBalances"> | undefined,
  closing: readonly Money[],
): { against: readonly Money[] } | { skipped: string } {
  const previousDay = previousDate(date);
  if (previous === undefined)
    return { skipped: "the first settlement file: no earlier closing balance to check this file's against" };
  if (previous.date !== previousDay)
    return {
      skipped: `no finished run of ${previousDay} (the latest earlier one is of ${previous.date}): the closing balances are not checked`,
    };
  if (closing.length === 0) return { skipped: "the file has no closing balance: the balances are not checked" };
  if (previous.closingBalances.length === 0)
    return { skipped: `${previousDay}'s file has no closing balance: this file's are not checked against it` };
  return { against: previous.closingBalances };
}

/**
 * The exception of a balance that does not chain from `date`'s previous day: the file's amount is its closing balance,
 * the ledger's the expected one (the previous closing balance plus the day's movements), so file - ledger is the
 * signed difference.
 */
export function balanceBreakException(date: string, found: BalanceBreak): FoundException {
  const money = (amountMinor: bigint) => formatMoney({ amountMinor, currency: found.currency });
  return {
    class: "balance_break",
    key: `balance_break|${found.currency}`,
    pspReference: "",
    ourReference: "",
    lineType: "closing_balance",
    fileAmount: { amountMinor: found.closing, currency: found.currency },
    ledgerAmount: { amountMinor: found.expected, currency: found.currency },
    ledgerTransactionId: "",
    detail:
      `the file's closing balance is ${money(found.closing)}; ${previousDate(date)}'s closing balance plus this day's movements is ` +
      `${money(found.expected)}: a difference of ${money(found.difference)}`,
  };
}
