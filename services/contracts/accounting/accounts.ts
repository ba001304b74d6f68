import { invalidArgument } from "../../lib/errors.js";

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

/** Whether `id` can be an account code or a transaction id at all. */
export function isLedgerId(id: string): boolean {
  return id.length <= MAX_LEDGER_ID_LENGTH && LEDGER_ID_PATTERN.test(id);
}

/** An account code or a transaction id. */
export function requireLedgerId(field: string, id: string): string {
  if (id === "") throw invalidArgument(field, "is required");
  if (id.length > MAX_LEDGER_ID_LENGTH) {
    throw invalidArgument(field, `must be at most ${MAX_LEDGER_ID_LENGTH} characters, got ${id.length}`);
  }
  if (!LEDGER_ID_PATTERN.test(id)) {
    throw invalidArgument(
      field,
      "may contain only letters, digits and _ . : @ - and must start with a letter or digit",
    );
  }
  return id;
}

/**
 * The platform's chart of accounts (services/ledger/README.md, Chart of accounts). Every code ends with its currency, since an account holds one
 * currency.
 */
export const pspReceivable = (currency: string): Account => ({
  code: `psp_receivable:${currency}`,
  type: "ASSET",
  currency,
});
export const platformFeeRevenue = (currency: string): Account => ({
  code: `platform_fee_revenue:${currency}`,
  type: "REVENUE",
  currency,
});
export const bankPlatform = (currency: string): Account => ({
  code: `bank:platform:${currency}`,
  type: "ASSET",
  currency,
});
export const pspFeeExpense = (currency: string): Account => ({
  code: `psp_fee_expense:${currency}`,
  type: "EXPENSE",
  currency,
});
/** Paid out of the sellers' balances, not yet out of the platform's bank account. */
export const payoutsInTransit = (currency: string): Account => ({
  code: `payouts_in_transit:${currency}`,
  type: "LIABILITY",
  currency,
});
/** What the PSP settled beyond (or short of) what we booked, written off by finance: a loss when debited. */
export const reconciliationDifferences = (currency: string): Account => ({
  code: `reconciliation_differences:${currency}`,
  type: "EXPENSE",
  currency,
});
/** Sellers' money withheld while a dispute is open. */
export const disputedFunds = (currency: string): Account => ({
  code: `disputed_funds:${currency}`,
  type: "LIABILITY",
  currency,
});

/** The start of every code of a kind of account: "psp_receivable:" for pspReceivable. */
export const codePrefixOf = (account: (currency: string) => Account): string => account("").code;

export const SELLER_PAYABLE_PREFIX = "seller_payable:";

/** What the platform owes one seller. */
export const sellerPayable = (sellerId: string, currency: string): Account => ({
  code: `${SELLER_PAYABLE_PREFIX}${sellerId}:${currency}`,
  type: "LIABILITY",
  currency,
});

/** The seller and currency of a seller_payable code; undefined for any other code. Seller ids may contain ':'. */
export function sellerOfPayable(code: string): { sellerId: string; currency: string } | undefined {
  if (!code.startsWith(SELLER_PAYABLE_PREFIX)) return undefined;
  const separator = code.lastIndexOf(":");
  const sellerId = code.slice(SELLER_PAYABLE_PREFIX.length, separator);
  const currency = code.slice(separator + 1);
  return sellerId === "" || currency === "" ? undefined : { sellerId, currency };
}
