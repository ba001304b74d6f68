import { adjustmentPosting, settleAsReportedPosting, type SettleAsReportedInput } from "../domain/adjustment-posting.js";
import type { PostingPlan } from "../../contracts/accounting/postings.js";
import type { PostingInput } from "../../contracts/accounting/postings.js";
import { aborted, DomainError, failedPrecondition, invalidArgument, notFound } from "../../lib/errors.js";
import { requireId } from "../../lib/validate.js";
import type { AdjustmentRecord, StoredException } from "../domain/exception.js";
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
 * entries or the standard correction. The exception is taken first ('adjusting', the posting recorded with who and
 * why), so that nothing else closes it meanwhile; then the ledger posts it (immutable there, idempotent on its id) and
 * the adjustment joins the audit trail as the exception closes; a posting the ledger refuses leaves it open again. The same idempotency key again completes an interrupted adjustment, or returns what was done.
 */
export async function postAdjustment(store: ReconciliationStore, ledger: LedgerPort, request: AdjustmentRequest): Promise<AdjustmentResult> {
  const idempotencyKey = requireId("idempotency_key", request.idempotencyKey);
  const exception = await store.getException(request.exceptionId);
  if (exception === undefined) throw notFound(`exception ${request.exceptionId} does not exist`);
  if (exception.status !== "open") return resume(store, ledger, exception, idempotencyKey);

  const { posting, accounts } = correctionOf(exception, request);
  await ledger.openAccounts(accounts);
  const adjustment = { posting, operatorId: request.operatorId, reason: request.reason.trim(), idempotencyKey };
  if (!(await store.claimAdjustment(exception.id, adjustment))) return resume(store, ledger, (await store.getException(exception.id))!, idempotencyKey);
  return complete(store, ledger, exception.id, adjustment);
}

/** An exception no longer open: the adjustment this key made (completed if it was interrupted), or why there is none. */
async function resume(store: ReconciliationStore, ledger: LedgerPort, exception: StoredException, idempotencyKey: string): Promise<AdjustmentResult> {
  const { adjustment } = exception;
  if (adjustment?.idempotencyKey !== idempotencyKey) throw alreadyClosed(exception);
  if (exception.status === "adjusting") return complete(store, ledger, exception.id, adjustment);
  const [transaction] = await ledger.lookupTransactions([adjustment.transactionId]);
  return { exception, transaction: transaction! };
}

/** Posts the claimed adjustment and closes the exception; if the ledger refuses it, the exception is open again. */
async function complete(store: ReconciliationStore, ledger: LedgerPort, exceptionId: bigint, adjustment: Pick<AdjustmentRecord, "posting">): Promise<AdjustmentResult> {
  const transaction = await ledger.post(adjustment.posting).catch(async (err: unknown) => {
    const refused = err instanceof DomainError && err.kind !== "unavailable"; // unavailable: it may be posted all the same
    if (refused) await store.releaseAdjustment(exceptionId);
    throw err;
  });
  return { exception: await store.completeAdjustment(exceptionId), transaction };
}
