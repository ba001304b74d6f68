import type { PostingInput, PostingPlan } from "../../contracts/accounting/postings.js";
import { aborted, failedPrecondition, invalidArgument } from "../../lib/errors.js";
import { adjustmentPosting, settleAsReportedPosting, type SettleAsReportedInput } from "./adjustment-posting.js";
import type { StoredException } from "./exception.js";

/** What finance asks to post for an exception: its own entries, or the standard correction. */
export interface CorrectionRequest {
  /** Who asks: the caller, named in the posting. */
  operatorId: string;
  reason: string;
  entries: PostingInput["entries"];
  /** Instead of entries: the standard correction, built from the exception. */
  correction?: "settle_as_reported";
}

const SETTLEABLE_TYPES: readonly string[] = ["charge", "refund", "payout", "chargeback", "chargeback_reversal"];

/** The posting the request asks for: its entries, or the standard correction of the exception. */
export function correctionOf(exception: StoredException, request: CorrectionRequest): PostingPlan {
  const who = { exceptionId: exception.id.toString(), operatorId: request.operatorId, reason: request.reason };
  if (request.correction === undefined)
    return { posting: adjustmentPosting({ ...who, entries: request.entries }), accounts: [] };
  if (request.entries.length > 0)
    throw invalidArgument("correction", "give entries or a standard correction, not both");
  const { fileAmount, ledgerAmount } = exception;
  if (
    exception.class !== "amount_mismatch" ||
    fileAmount === undefined ||
    ledgerAmount === undefined ||
    !SETTLEABLE_TYPES.includes(exception.lineType)
  ) {
    throw failedPrecondition(
      `exception ${exception.id} is a ${exception.class} of a ${exception.lineType || "unreadable"} line: SETTLE_AS_REPORTED corrects amount mismatches only; post entries`,
    );
  }
  return settleAsReportedPosting({
    ...who,
    lineType: exception.lineType as SettleAsReportedInput["lineType"],
    currency: fileAmount.currency,
    reportedMinor: fileAmount.amountMinor,
    reportedFeeMinor: exception.fileFee ?? 0n,
    bookedMinor: ledgerAmount.amountMinor,
  });
}

/** Why an exception no longer open takes no new adjustment: there is none, one is under way, or one was made. */
export function alreadyClosed(exception: StoredException): Error {
  const { adjustment } = exception;
  if (adjustment === undefined)
    return failedPrecondition(
      `exception ${exception.id} is ${exception.status} (${exception.resolution}); there is nothing to adjust`,
    );
  if (exception.status === "adjusting") {
    return aborted(
      `exception ${exception.id} is being adjusted by ${adjustment.operatorId} since ${adjustment.adjustedAt.toISOString()} (${adjustment.transactionId}); ` +
        "that adjustment completes when it is sent again with its own idempotency key",
    );
  }
  return failedPrecondition(
    `exception ${exception.id} was already adjusted by ${adjustment.operatorId} at ${adjustment.adjustedAt.toISOString()} (${adjustment.transactionId}); ` +
      "an adjustment is final: post a new correction in the ledger if it was wrong",
  );
}
