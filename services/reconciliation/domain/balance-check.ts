import type { Money } from "../../lib/money.js";

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
export function balanceBreaks(previousClosing: readonly Money[], movementsNet: ReadonlyMap<string, bigint>, closing: readonly Money[]): BalanceBreak[] {
  const previous = new Map(previousClosing.map((b) => [b.currency, b.amountMinor]));
  const now = new Map(closing.map((b) => [b.currency, b.amountMinor]));
  const currencies = [...new Set([...previous.keys(), ...movementsNet.keys(), ...now.keys()])].sort();
  return currencies.flatMap((currency) => {
    const expected = (previous.get(currency) ?? 0n) + (movementsNet.get(currency) ?? 0n);
    const closingBalance = now.get(currency) ?? 0n;
    return expected === closingBalance ? [] : [{ currency, expected, closing: closingBalance, difference: closingBalance - expected }];
  });
}
