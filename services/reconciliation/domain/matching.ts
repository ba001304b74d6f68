import {
  bankPlatform,
  codePrefixOf,
  disputedFunds,
  isLedgerId,
  pspReceivable,
} from "../../contracts/accounting/accounts.js";
import {
  disputeTransactionId,
  payInTransactionId,
  payoutTransactionId,
  refundTransactionId,
  TRANSACTION_PREFIXES,
} from "../../contracts/accounting/transaction-ids.js";
import { formatMoney, type Money } from "../../lib/money.js";
import type { FoundException } from "./exception.js";
import type { LineType, SettlementLine } from "./settlement-line.js";

/** A ledger transaction as reconciliation sees it. */
export interface LedgerTransaction {
  transactionId: string;
  description: string;
  postedAt: Date;
  entries: { accountCode: string; direction: "DEBIT" | "CREDIT"; amount: Money }[];
}

/** A ledger transaction's entries (on the accounts asked for). */
export type TransactionEntries = Pick<LedgerTransaction, "transactionId" | "entries">;

/** What a movement line is, once compared with the ledger (the other classes come from reading the file). */
export type MatchClass = "matched" | "missing_in_ledger" | "amount_mismatch" | "currency_mismatch";

/**
 * The ledger transaction a line settles, by the deterministic ids the ledger books under: charge payin:<payment id>;
 * refund refund:<refund id> (our_reference is <payment id>/<refund id>); payout payout:<payout id>:paid; chargeback and
 * its fee dispute:<dispute id>:open; reversal dispute:<dispute id>:won. Undefined when the line cannot name one (a
 * malformed line's type may be any text).
 */
export function ledgerTransactionOf(
  line: Pick<SettlementLine, "pspReference" | "ourReference"> & { type: string },
): string | undefined {
  const id = transactionIdOf(line.type, line.pspReference, line.ourReference);
  return id !== undefined && isLedgerId(id) ? id : undefined;
}

function transactionIdOf(type: string, pspReference: string, ourReference: string): string | undefined {
  switch (type) {
    case "charge":
      return payInTransactionId(ourReference);
    case "refund": {
      const slash = ourReference.indexOf("/");
      return slash === -1 ? undefined : refundTransactionId(ourReference.slice(slash + 1));
    }
    case "payout":
      return payoutTransactionId(ourReference, "paid");
    case "chargeback":
    case "fee":
      return disputeTransactionId(pspReference, "open");
    case "chargeback_reversal":
      return disputeTransactionId(pspReference, "won");
    default:
      return undefined;
  }
}

/** The account (by code prefix) and direction on which each kind of transaction moves the PSP's side of the money. */
const PSP_SIDE: Record<LineType, [string, "DEBIT" | "CREDIT"]> = {
  charge: [codePrefixOf(pspReceivable), "DEBIT"],
  refund: [codePrefixOf(pspReceivable), "CREDIT"],
  payout: [codePrefixOf(bankPlatform), "CREDIT"],
  chargeback: [codePrefixOf(disputedFunds), "CREDIT"],
  fee: [codePrefixOf(disputedFunds), "CREDIT"],
  chargeback_reversal: [codePrefixOf(disputedFunds), "DEBIT"],
};

/** The accounts on the PSP's side of every kind of line: all a lookup needs to return. */
export const PSP_SIDE_ACCOUNTS = [...new Set(Object.values(PSP_SIDE).map(([prefix]) => prefix))];

/** What the transaction moved on its PSP-side account; undefined when it has no such entry. */
export function pspSideAmount(transaction: Pick<LedgerTransaction, "entries">, type: LineType): Money | undefined {
  const [prefix, direction] = PSP_SIDE[type];
  let moved: Money | undefined;
  for (const { accountCode, direction: d, amount } of transaction.entries) {
    if (d !== direction || !accountCode.startsWith(prefix)) continue;
    moved = { amountMinor: (moved?.amountMinor ?? 0n) + amount.amountMinor, currency: amount.currency };
  }
  return moved;
}

/** The amount a line is about: |gross|, or the fee for a dispute fee line. */
export const lineAmount = (line: Pick<SettlementLine, "type" | "gross" | "fee">): bigint =>
  line.type === "fee" ? line.fee : line.gross < 0n ? -line.gross : line.gross;

/** Compares a line with the ledger transaction it names (undefined: not in the ledger). A dispute fee only needs its dispute. */
export function classify(
  line: SettlementLine,
  transaction: Pick<LedgerTransaction, "entries"> | undefined,
): { class: MatchClass; ledger?: Money } {
  if (transaction === undefined) return { class: "missing_in_ledger" };
  const ledger = pspSideAmount(transaction, line.type);
  if (ledger === undefined) return { class: "amount_mismatch", ledger: { amountMinor: 0n, currency: line.currency } };
  if (ledger.currency !== line.currency) return { class: "currency_mismatch", ledger };
  if (line.type !== "fee" && ledger.amountMinor !== lineAmount(line)) return { class: "amount_mismatch", ledger };
  return { class: "matched", ledger };
}

/** The settle-able transactions: those a settlement line should match ("missing in the file" when none does). */
const { payIn, refund, payout, dispute } = TRANSACTION_PREFIXES;
export const SETTLEABLE_PREFIXES = [payIn, refund, payout, dispute];

/** The line type a settle-able transaction is settled by, or undefined for one no line settles (payout requested, dispute lost...). */
export function settlingLineType(transactionId: string): LineType | undefined {
  if (transactionId.startsWith(payIn)) return "charge";
  if (transactionId.startsWith(refund)) return "refund";
  if (transactionId.startsWith(payout) && transactionId.endsWith(":paid")) return "payout";
  if (transactionId.startsWith(dispute) && transactionId.endsWith(":open")) return "chargeback";
  if (transactionId.startsWith(dispute) && transactionId.endsWith(":won")) return "chargeback_reversal";
  return undefined;
}

/** The exception of a settle-able ledger transaction (of line type `type`) that no line of the day's file settles. */
export function missingInFileException(
  transaction: Pick<LedgerTransaction, "transactionId" | "entries" | "postedAt">,
  type: LineType,
): FoundException & { ledgerAmount: Money } {
  const amount = pspSideAmount(transaction, type) ?? { amountMinor: 0n, currency: "" };
  return {
    class: "missing_in_file",
    key: `missing_in_file|${transaction.transactionId}`,
    pspReference: "",
    ourReference: "",
    lineType: type,
    ledgerAmount: amount,
    ledgerTransactionId: transaction.transactionId,
    detail: `the ledger booked ${transaction.transactionId} (${formatMoney(amount)}) at ${transaction.postedAt.toISOString()}; no ${type} line of the file settles it`,
  };
}
