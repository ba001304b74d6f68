import { bankPlatform, pspFeeExpense, pspReceivable, type Account } from "../../contracts/accounting/accounts.js";
import { netLines, planOf, type PostingPlan } from "../../contracts/accounting/postings.js";
import { settlementTransactionId } from "../../contracts/accounting/transaction-ids.js";
import { invalidArgument } from "../../lib/errors.js";
import { requireCurrency } from "../../lib/validate.js";

/** What one settlement file moved in one currency, per kind of matched line, in minor units (see settlementPosting). */
export interface SettlementTotals {
  /** Charges: what the buyers paid (gross) and what the PSP kept of it (fee). */
  chargesGross: bigint;
  chargesFee: bigint;
  refunds: bigint;
  chargebacks: bigint;
  chargebackReversals: bigint;
  disputeFees: bigint;
}

export const NO_SETTLEMENT: SettlementTotals = {
  chargesGross: 0n,
  chargesFee: 0n,
  refunds: 0n,
  chargebacks: 0n,
  chargebackReversals: 0n,
  disputeFees: 0n,
};

export interface SettlementInput {
  /** The settlement day, YYYY-MM-DD. */
  date: string;
  currency: string;
  /** 1 for the day's first posting in the currency; a later run of the day posts only what changed, as the next one. */
  sequence: number;
  /** Signed: a later run may settle less than an earlier one did. */
  totals: SettlementTotals;
}

const SETTLEMENT_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The PSP settles the matched lines of a day's file (docs/reconciliation.md, Settlement postings: gross A with fee P, Dr bank:platform A-P, Dr
 * psp_fee_expense P, Cr psp_receivable A), one posting per currency rather than per line: charges Dr bank net,
 * Dr psp_fee_expense fee, Cr psp_receivable gross; refunds and chargebacks Dr psp_receivable, Cr bank; reversals Dr
 * bank, Cr psp_receivable; dispute fees Dr psp_fee_expense, Cr bank. Payouts hit the bank when paid, so they add
 * nothing. Each account gets one entry, the net of those moves (a debit or a credit by its sign); undefined when
 * nothing moves. Id `settlement:<date>:<currency>:<sequence>`.
 */
export function settlementPosting(input: SettlementInput): PostingPlan | undefined {
  if (!SETTLEMENT_DATE.test(input.date)) throw invalidArgument("date", `must be YYYY-MM-DD, got "${input.date}"`);
  const currency = requireCurrency("currency", input.currency);
  if (!Number.isSafeInteger(input.sequence) || input.sequence < 1)
    throw invalidArgument("sequence", `must be a positive integer, got ${input.sequence}`);
  const t = input.totals;
  // Debit minus credit per account; they add up to zero.
  const moves: [Account, bigint][] = [
    [
      bankPlatform(currency),
      t.chargesGross - t.chargesFee - t.refunds - t.chargebacks + t.chargebackReversals - t.disputeFees,
    ],
    [pspFeeExpense(currency), t.chargesFee + t.disputeFees],
    [pspReceivable(currency), t.refunds + t.chargebacks - t.chargesGross - t.chargebackReversals],
  ];
  if (moves.every(([, amount]) => amount === 0n)) return undefined;
  const breakdown = Object.entries(t)
    .filter(([, amount]) => amount !== 0n)
    .map(([kind, amount]) => `${kind} ${amount}`)
    .join(", ");
  return planOf(
    settlementTransactionId(input.date, currency, input.sequence),
    `PSP settlement of ${input.date} in ${currency} (${breakdown})`,
    currency,
    netLines(moves),
  );
}
