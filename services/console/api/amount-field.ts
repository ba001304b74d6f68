import { minorUnitDigits, parseMoney, type Money } from "../../lib/money.js";
import { html, type SafeHtml } from "./html.js";

/** A form's amount input, typed in `currency`'s major units (e.g. 12.50). */
export function amountInput(currency: string): SafeHtml {
  const digits = minorUnitDigits(currency);
  const example = digits === 0 ? "1" : `1.${"0".repeat(digits)}`;
  return html`<label>Amount in ${currency} <input name="amount" required inputmode="decimal" placeholder="${example}" size="10"></label>`;
}

/** The amount a form's `amount` field holds, exactly, or what is wrong with it for the person who typed it. */
export function readAmount(text: string, currency: string): { amount: Money } | { problem: string } {
  const amount = parseMoney(text, currency);
  if (amount !== undefined && amount.amountMinor > 0n) return { amount };
  const digits = minorUnitDigits(currency);
  return { problem: `"${text}" is not an amount in ${currency}: digits, with at most ${digits} decimal${digits === 1 ? "" : "s"}, more than zero.` };
}
