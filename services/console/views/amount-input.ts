import { minorUnitDigits } from "../../lib/money.js";
import { html, type SafeHtml } from "./html.js";

/** A form's amount input, typed in `currency`'s major units (e.g. 12.50). */
export function amountInput(currency: string): SafeHtml {
  const digits = minorUnitDigits(currency);
  const example = digits === 0 ? "1" : `1.${"0".repeat(digits)}`;
  return html`<label>Amount in ${currency} <input name="amount" required inputmode="decimal" placeholder="${example}" size="10"></label>`;
}
