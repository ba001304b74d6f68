import { adjustmentPosting, settleAsReportedPosting, type PostingPlan, type SettleAsReportedInput } from "../../ledger/domain/chart.js";
import type { PostingInput } from "../../ledger/domain/posting.js";
import { failedPrecondition, invalidArgument, notFound } from "../../lib/errors.js";
import { requireId } from "../../lib/validate.js";
import type { StoredException } from "../domain/exception.js";
import type { LedgerTransaction } from "../domain/matching.js";
import type { ReconciliationStore } from "../store/reconciliation-store.js";
import type { LedgerPort } from "./ports.js";

export interface AdjustmentRequest {
  exceptionId: bigint;
  operatorId: string;
  reason: string;
  entries: PostingInput["entries"];
  /** Instead of entries: the standard correction, built from the exception. */
  correction?: "settle_as_reported";
  idempotencyKey: string;
}

export interface AdjustmentResult {
  exception: StoredException;
  transaction: LedgerTransaction;
}

function alreadyClosed(exception: StoredException): Error {
  const { adjustment } = exception;
  if (adjustment === undefined) return failedPrecondition(`exception ${exception.id} is ${exception.status} (${exception.resolution}); there is nothing to adjust`);
  return failedPrecondition(
    `exception ${exception.id} was already adjusted by ${adjustment.operatorId} at ${adjustment.adjustedAt.toISOString()} (${adjustment.transactionId}); ` +
      "an adjustment is final: post a new correction in the ledger if it was wrong",
  );
}

const SETTLEABLE_TYPES: readonly string[] = ["charge", "refund", "payout", "chargeback", "chargeback_reversal"];

/** The posting the request asks for: its entries, or the standard correction of the exception. */
function correctionOf(exception: StoredException, request: AdjustmentRequest): PostingPlan {
  const who = { exceptionId: exception.id.toString(), operatorId: request.operatorId, reason: request.reason };
  if (request.correction === undefined) return { posting: adjustmentPosting({ ...who, entries: request.entries }), accounts: [] };
  if (request.entries.length > 0) throw invalidArgument("correction", "give entries or a standard correction, not both");
  const { fileAmount, ledgerAmount } = exception;
  if (exception.class !== "amount_mismatch" || fileAmount === undefined || ledgerAmount === undefined || !SETTLEABLE_TYPES.includes(exception.lineType)) {
    throw failedPrecondition(`exception ${exception.id} is a ${exception.class} of a ${exception.lineType || "unreadable"} line: SETTLE_AS_REPORTED corrects amount mismatches only; post entries`);
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

/**
 * Finance's correction of an open exception: the ledger transaction adjustment:<exception id> with the operator's
 * entries or the standard correction (immutable there), then the exception closed with who, why and when. The ledger posting is idempotent on its
 * id, so a retry after a failure in between completes it; the same idempotency key again returns what was done.
 */
export async function postAdjustment(store: ReconciliationStore, ledger: LedgerPort, request: AdjustmentRequest): Promise<AdjustmentResult> {
  const idempotencyKey = requireId("idempotency_key", request.idempotencyKey);
  const exception = await store.getException(request.exceptionId);
  if (exception === undefined) throw notFound(`exception ${request.exceptionId} does not exist`);
  const replay = async (closed: StoredException) => {
    if (closed.adjustment?.idempotencyKey !== idempotencyKey) throw alreadyClosed(closed);
    const [transaction] = await ledger.lookupTransactions([closed.adjustment.transactionId]);
    return { exception: closed, transaction: transaction! };
  };
  if (exception.status !== "open") return replay(exception);

  const { posting, accounts } = correctionOf(exception, request);
  await ledger.openAccounts(accounts);
  const transaction = await ledger.post(posting);
  const { recorded, exception: after } = await store.recordAdjustment(exception.id, {
    transactionId: posting.transactionId,
    operatorId: request.operatorId,
    reason: request.reason.trim(),
    idempotencyKey,
    entries: posting.entries.map((e) => ({ account_code: e.accountCode, direction: e.direction, amount_minor: e.amount.amountMinor.toString(), currency: e.amount.currency })),
  });
  return recorded ? { exception: after, transaction } : replay(after);
}
