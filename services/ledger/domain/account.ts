import { invalidArgument } from "../../lib/errors.js";
import { requireCurrency } from "../../lib/validate.js";

export const ACCOUNT_TYPES = ["ASSET", "LIABILITY", "REVENUE", "EXPENSE"] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];
export const DIRECTIONS = ["DEBIT", "CREDIT"] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** An account holds one currency, which ends its code: "psp_receivable:USD". */
export interface Account {
  code: string;
  type: AccountType;
  currency: string;
}

/**
 * Account codes and transaction ids are built from other ids (at most 128 characters) with a prefix and a suffix,
 * e.g. "seller_payable:<seller>:USD" or "refund:<refund_id>", hence a longer limit than for ids.
 */
export const MAX_LEDGER_ID_LENGTH = 200;
const LEDGER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:@-]*$/;

/** An account code or a transaction id. */
export function requireLedgerId(field: string, id: string): string {
  if (id === "") throw invalidArgument(field, "is required");
  if (id.length > MAX_LEDGER_ID_LENGTH) {
    throw invalidArgument(field, `must be at most ${MAX_LEDGER_ID_LENGTH} characters, got ${id.length}`);
  }
  if (!LEDGER_ID_PATTERN.test(id)) {
    throw invalidArgument(field, "may contain only letters, digits and _ . : @ - and must start with a letter or digit");
  }
  return id;
}

export function validateAccount(field: string, input: { code: string; type: AccountType | undefined; currency: string }): Account {
  const code = requireLedgerId(`${field}.code`, input.code);
  if (input.type === undefined) throw invalidArgument(`${field}.type`, "is required (ASSET, LIABILITY, REVENUE or EXPENSE)");
  const currency = requireCurrency(`${field}.currency`, input.currency);
  if (!code.endsWith(`:${currency}`)) {
    throw invalidArgument(`${field}.code`, `must end with ":${currency}", the account's currency, e.g. "psp_receivable:${currency}"`);
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
