import { invalidArgument } from "../../lib/errors.js";
import { requireCurrency } from "../../lib/validate.js";
import {
  requireLedgerId,
  type Account,
  type AccountType,
  type Direction,
} from "../../contracts/accounting/accounts.js";

export function validateAccount(
  field: string,
  input: { code: string; type: AccountType | undefined; currency: string },
): Account {
  const code = requireLedgerId(`${field}.code`, input.code);
  if (input.type === undefined)
    throw invalidArgument(`${field}.type`, "is required (ASSET, LIABILITY, REVENUE or EXPENSE)");
  const currency = requireCurrency(`${field}.currency`, input.currency);
  if (!code.endsWith(`:${currency}`)) {
    throw invalidArgument(
      `${field}.code`,
      `must end with ":${currency}", the account's currency, e.g. "psp_receivable:${currency}"`,
    );
  }
  return { code, type: input.type, currency };
}

/** Assets and expenses grow with debits; liabilities and revenue with credits. */
export function normalDirection(type: AccountType): Direction {
  return type === "ASSET" || type === "EXPENSE" ? "DEBIT" : "CREDIT";
}

/** The balance in the account's normal direction. */
export function balanceOf(type: AccountType, totals: { debits: bigint; credits: bigint }): bigint {
  return normalDirection(type) === "DEBIT" ? totals.debits - totals.credits : totals.credits - totals.debits;
}
