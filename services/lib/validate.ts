import { invalidArgument } from "./errors.js";
import { isKnownCurrency, isSupportedCurrency, MAX_MINOR_UNITS, SUPPORTED_CURRENCIES, type Money } from "./money.js";

/** Field checks shared by every service's request validation; each throws INVALID_ARGUMENT naming the field. */
export const MAX_ID_LENGTH = 128;
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:@-]*$/;

export function requireId(field: string, value: string): string {
  if (value === "") throw invalidArgument(field, "is required");
  if (value.length > MAX_ID_LENGTH)
    throw invalidArgument(field, `must be at most ${MAX_ID_LENGTH} characters, got ${value.length}`);
  if (!ID_PATTERN.test(value)) {
    throw invalidArgument(
      field,
      "may contain only letters, digits and _ . : @ - and must start with a letter or digit",
    );
  }
  return value;
}

export function requireCurrency(field: string, value: string): string {
  if (value === "") throw invalidArgument(field, "is required (an ISO 4217 code such as USD)");
  if (!isKnownCurrency(value))
    throw invalidArgument(field, `"${value}" is not an ISO 4217 currency code (use upper case, e.g. USD)`);
  if (!isSupportedCurrency(value))
    throw invalidArgument(
      field,
      `${value} is not a currency the platform supports (${SUPPORTED_CURRENCIES.join(", ")})`,
    );
  return value;
}

/** A strictly positive amount in a known currency. */
export function requirePositiveMoney(
  field: string,
  money: { amountMinor: bigint; currency: string } | undefined,
): Money {
  if (money === undefined) throw invalidArgument(field, "is required");
  const currency = requireCurrency(`${field}.currency`, money.currency);
  if (money.amountMinor <= 0n) {
    throw invalidArgument(
      `${field}.amount_minor`,
      `must be a positive integer number of minor units, got ${money.amountMinor}`,
    );
  }
  if (money.amountMinor > MAX_MINOR_UNITS) throw invalidArgument(`${field}.amount_minor`, "is too large");
  return { amountMinor: money.amountMinor, currency };
}

/** ISO 3166-1 alpha-2, or empty when unknown. */
export function optionalCountry(field: string, value: string): string {
  if (value !== "" && !/^[A-Z]{2}$/.test(value))
    throw invalidArgument(field, `must be an ISO 3166-1 alpha-2 code such as "US", got "${value}"`);
  return value;
}
