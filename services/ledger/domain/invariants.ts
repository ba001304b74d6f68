import { formatMoney } from "../../lib/money.js";
import { sellerOfPayable, sellerPayable } from "../../contracts/accounting/accounts.js";

/** A broken rule of the books, precise enough for a person to find and fix. */
export interface Violation {
  invariant:
    | "currency_sum_not_zero"
    | "transaction_unbalanced"
    | "transaction_too_few_entries"
    | "entry_without_transaction"
    | "entry_account_mismatch"
    | "checkpoint_differs_from_entries"
    | "revenue_day_differs_from_entries"
    | "wallet_differs_from_seller_payable"
    | "settled_not_booked"
    | "settled_amount_differs"
    | "outbox_events_unpublished"
    | "dead_letters_waiting";
  detail: string;
  accountCode?: string;
  transactionId?: string;
  currency?: string;
}

export interface InvariantReport {
  violations: Violation[];
  /** What was not checked, and why. */
  notes: string[];
}

/** One seller's available balance in one currency, as the wallet service holds it. */
export interface WalletBalance {
  sellerId: string;
  currency: string;
  availableMinor: bigint;
}

export interface AccountBalanceRow {
  accountCode: string;
  /** In the account's normal direction. */
  balanceMinor: bigint;
}

const money = (amountMinor: bigint, currency: string) => formatMoney({ amountMinor, currency });

export function currencySumViolation(currency: string, debits: bigint, credits: bigint): Violation {
  return {
    invariant: "currency_sum_not_zero",
    currency,
    detail: `${currency} entries do not sum to zero: debits ${money(debits, currency)}, credits ${money(credits, currency)}`,
  };
}

export function unbalancedTransactionViolation(
  transactionId: string,
  currency: string,
  debits: bigint,
  credits: bigint,
): Violation {
  return {
    invariant: "transaction_unbalanced",
    transactionId,
    currency,
    detail: `transaction "${transactionId}" does not balance in ${currency}: debits ${money(debits, currency)}, credits ${money(credits, currency)}`,
  };
}

export function tooFewEntriesViolation(transactionId: string, entries: number): Violation {
  return {
    invariant: "transaction_too_few_entries",
    transactionId,
    detail: `transaction "${transactionId}" has ${entries} entries; a transaction needs at least 2`,
  };
}

export function orphanEntryViolation(transactionId: string, position: number, accountCode: string): Violation {
  return {
    invariant: "entry_without_transaction",
    transactionId,
    accountCode,
    detail: `entry ${position} on "${accountCode}" belongs to transaction "${transactionId}", which does not exist`,
  };
}

export function accountMismatchViolation(
  entry: { transactionId: string; position: number; accountCode: string; currency: string },
  accountCurrency: string | undefined,
): Violation {
  const problem = accountCurrency === undefined ? "which does not exist" : `which is in ${accountCurrency}`;
  return {
    invariant: "entry_account_mismatch",
    transactionId: entry.transactionId,
    accountCode: entry.accountCode,
    currency: entry.currency,
    detail: `entry ${entry.position} of transaction "${entry.transactionId}" is in ${entry.currency} on account "${entry.accountCode}", ${problem}`,
  };
}

export function checkpointViolation(
  accountCode: string,
  currency: string,
  checkpoint: { debits: bigint; credits: bigint },
  entries: { debits: bigint; credits: bigint },
): Violation {
  return {
    invariant: "checkpoint_differs_from_entries",
    accountCode,
    currency,
    detail:
      `the checkpoint of "${accountCode}" holds debits ${money(checkpoint.debits, currency)}, credits ${money(checkpoint.credits, currency)}, ` +
      `but its entries below the checkpoint's horizon sum to debits ${money(entries.debits, currency)}, credits ${money(entries.credits, currency)}`,
  };
}

/** A daily revenue rollup (absent: undefined) that is not the sum of its entries below the horizon (none: undefined). */
export function revenueDayViolation(
  day: string,
  currency: string,
  figure: string,
  rollupMinor: bigint | undefined,
  entriesMinor: bigint | undefined,
): Violation {
  const held = rollupMinor === undefined ? "has no row" : `holds ${money(rollupMinor, currency)}`;
  const summed =
    entriesMinor === undefined
      ? "there are no such entries"
      : `its entries below the checkpoint's horizon sum to ${money(entriesMinor, currency)}`;
  return {
    invariant: "revenue_day_differs_from_entries",
    currency,
    detail: `the revenue rollup of ${day} for ${figure} in ${currency} ${held}, but ${summed}`,
  };
}

/**
 * Each seller's wallet balance must equal its seller_payable account, in every currency; a seller missing on one
 * side counts as zero there. The two sides are read at slightly different moments, so an event that one service
 * has consumed and the other not yet shows up here until both have.
 */
export function walletViolations(payables: AccountBalanceRow[], wallets: WalletBalance[]): Violation[] {
  const inLedger = new Map(payables.map((p) => [p.accountCode, p.balanceMinor]));
  const inWallets = new Map(wallets.map((w) => [sellerPayable(w.sellerId, w.currency).code, w.availableMinor]));
  const codes = [...new Set([...inLedger.keys(), ...inWallets.keys()])].sort();
  return codes.flatMap((accountCode): Violation[] => {
    const ledger = inLedger.get(accountCode) ?? 0n;
    const wallet = inWallets.get(accountCode) ?? 0n;
    const owner = sellerOfPayable(accountCode);
    if (ledger === wallet || owner === undefined) return [];
    const { sellerId, currency } = owner;
    return [
      {
        invariant: "wallet_differs_from_seller_payable",
        accountCode,
        currency,
        detail: `"${accountCode}" is ${money(ledger, currency)} in the ledger, but the wallet of seller "${sellerId}" holds ${money(wallet, currency)}`,
      },
    ];
  });
}
