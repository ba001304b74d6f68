import { minorUnitDigits, parseMoney, type Money } from "../../lib/money.js";

/** The amount a form's `amount` field holds, exactly, or what is wrong with it for the person who typed it. */
export function readAmount(text: string, currency: string): { amount: Money } | { problem: string } {
  const amount = parseMoney(text, currency);
  if (amount !== undefined && amount.amountMinor > 0n) return { amount };
  const digits = minorUnitDigits(currency);
  return {
    problem: `"${text}" is not an amount in ${currency}: digits, with at most ${digits} decimal${digits === 1 ? "" : "s"}, more than zero.`,
  };
}
