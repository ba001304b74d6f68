import {
  bankPlatform,
  pspFeeExpense,
  pspReceivable,
  reconciliationDifferences,
  type Account,
} from "../../contracts/accounting/accounts.js";
import {
  entriesOf,
  netLines,
  nonZeroLines,
  validatePosting,
  type Posting,
  type PostingInput,
  type PostingPlan,
} from "../../contracts/accounting/postings.js";
import { adjustmentTransactionId } from "../../contracts/accounting/transaction-ids.js";
import { invalidArgument } from "../../lib/errors.js";
import { requireCurrency, requireId } from "../../lib/validate.js";

export interface AdjustmentInput {
  /** The reconciliation exception it corrects; one adjustment per exception. */
  exceptionId: string;
  operatorId: string;
  reason: string;
  entries: PostingInput["entries"];
}

export const MAX_ADJUSTMENT_REASON_LENGTH = 500;

/**
 * A person's correction of a reconciliation exception: the entries they chose, under id `adjustment:<exception id>`,
 * with who and why in the description (the journal is the audit trail: the posting can never change).
 */
export function adjustmentPosting(input: AdjustmentInput): Posting {
  requireId("exception_id", input.exceptionId);
  requireId("operator_id", input.operatorId);
  const reason = input.reason.trim();
  if (reason === "") throw invalidArgument("reason", "is required: say why the books are corrected");
  if (reason.length > MAX_ADJUSTMENT_REASON_LENGTH) {
    throw invalidArgument("reason", `must be at most ${MAX_ADJUSTMENT_REASON_LENGTH} characters, got ${reason.length}`);
  }
  return validatePosting({
    transactionId: adjustmentTransactionId(input.exceptionId),
    description: `adjustment of reconciliation exception ${input.exceptionId} by ${input.operatorId}: ${reason}`,
    entries: input.entries,
  });
}

export interface SettleAsReportedInput {
  exceptionId: string;
  operatorId: string;
  reason: string;
  lineType: "charge" | "refund" | "payout" | "chargeback" | "chargeback_reversal";
  currency: string;
  /** |gross| and fee of the PSP's line. */
  reportedMinor: bigint;
  reportedFeeMinor: bigint;
  /** What the ledger booked on the PSP's side. */
  bookedMinor: bigint;
}

/**
 * The standard correction of an amount mismatch: settle the line as the PSP reported it and write the difference off.
 * Money in (charge, reversal): Dr bank:platform reported - fee, Dr psp_fee_expense fee, Cr psp_receivable booked;
 * money out (refund, chargeback): Dr psp_receivable booked, Cr bank:platform reported; a payout already left the bank
 * as booked: Cr bank:platform the difference. The difference (reported - booked) goes to reconciliation_differences:
 * credited when the PSP brought in more or sent out less than booked, debited otherwise. Id `adjustment:<exception id>`.
 */
export function settleAsReportedPosting(input: SettleAsReportedInput): PostingPlan {
  const currency = requireCurrency("currency", input.currency);
  const { reportedMinor: reported, reportedFeeMinor: fee, bookedMinor: booked } = input;
  if (reported < 0n || fee < 0n || booked < 0n)
    throw invalidArgument("amounts", "reported, fee and booked amounts must not be negative");
  const difference = reported - booked;
  const moneyIn = input.lineType === "charge" || input.lineType === "chargeback_reversal";
  // Debit minus credit per account; they add up to zero.
  const moves: [Account, bigint][] =
    input.lineType === "payout"
      ? [
          [bankPlatform(currency), -difference],
          [reconciliationDifferences(currency), difference],
        ]
      : moneyIn
        ? [
            [bankPlatform(currency), reported - fee],
            [pspFeeExpense(currency), fee],
            [pspReceivable(currency), -booked],
            [reconciliationDifferences(currency), -difference],
          ]
        : [
            [pspReceivable(currency), booked],
            [bankPlatform(currency), -reported],
            [reconciliationDifferences(currency), difference],
          ];
  const lines = nonZeroLines(netLines(moves));
  const posting = adjustmentPosting({
    exceptionId: input.exceptionId,
    operatorId: input.operatorId,
    reason: input.reason,
    entries: entriesOf(currency, lines),
  });
  return { posting, accounts: lines.map(([account]) => account) };
}
