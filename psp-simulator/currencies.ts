/**
 * The currencies the simulator accepts, with their ISO 4217 exponent: how many decimal digits the minor unit has
 * (an amount of 1234 is ¥1,234 in JPY, $12.34 in USD and 1.234 KWD).
 */
const MINOR_UNIT_DIGITS: ReadonlyMap<string, number> = new Map([
  ["USD", 2],
  ["EUR", 2],
  ["GBP", 2],
  ["CHF", 2],
  ["CAD", 2],
  ["AUD", 2],
  ["SEK", 2],
  ["NOK", 2],
  ["DKK", 2],
  ["PLN", 2],
  ["JPY", 0],
  ["KRW", 0],
  ["KWD", 3],
  ["BHD", 3],
]);

export const SUPPORTED_CURRENCIES: readonly string[] = [...MINOR_UNIT_DIGITS.keys()];

/** `code` in upper case. */
export function isSupportedCurrency(code: string): boolean {
  return MINOR_UNIT_DIGITS.has(code);
}

/** Formats integer minor units without ever going through a float, e.g. 1999 USD -> "USD 19.99", 1234 JPY -> "JPY 1234". */
export function formatAmount(amount: number, currency: string): string {
  const digits = MINOR_UNIT_DIGITS.get(currency);
  if (digits === undefined) throw new Error(`psp-simulator: unsupported currency ${currency}`);
  if (digits === 0) return `${currency} ${amount}`;
  const padded = String(amount).padStart(digits + 1, "0");
  return `${currency} ${padded.slice(0, -digits)}.${padded.slice(-digits)}`;
}
