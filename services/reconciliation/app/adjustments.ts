import { DomainError, notFound } from "../../lib/errors.js";
import { present } from "../../lib/invariant.js";
import { requireId } from "../../lib/validate.js";
import { alreadyClosed, correctionOf, type CorrectionRequest } from "../domain/adjustment.js";
import type { AdjustmentRecord, StoredException } from "../domain/exception.js";
import type { LedgerTransaction } from "../domain/matching.js";
import type { Adjustments, LedgerPort } from "./ports.js";

export interface AdjustmentRequest extends CorrectionRequest {
  exceptionId: bigint;
  idempotencyKey: string;
}

export interface AdjustmentResult {
  exception: StoredException;
  transaction: LedgerTransaction;
}

/**
 * Finance's correction of an open exception: the ledger transaction adjustment:<exception id> with the operator's
 * entries or the standard correction. The exception is taken first ('adjusting', the posting recorded with who and
 * why), so that nothing else closes it meanwhile; then the ledger posts it (immutable there, idempotent on its id) and
 * the adjustment joins the audit trail as the exception closes; a posting the ledger refuses leaves it open again. The same idempotency key again completes an interrupted adjustment, or returns what was done.
 */
export async function postAdjustment(
  adjustments: Adjustments,
  ledger: LedgerPort,
  request: AdjustmentRequest,
): Promise<AdjustmentResult> {
  const idempotencyKey = requireId("idempotency_key", request.idempotencyKey);
  const exception = await adjustments.getException(request.exceptionId);
  if (exception === undefined) throw notFound(`exception ${request.exceptionId} does not exist`);
  if (exception.status !== "open") return resume(adjustments, ledger, exception, idempotencyKey);

  const { posting, accounts } = correctionOf(exception, request);
  await ledger.openAccounts(accounts);
  const adjustment = { posting, operatorId: request.operatorId, reason: request.reason.trim(), idempotencyKey };
  if (!(await adjustments.claimAdjustment(exception.id, adjustment))) {
    const taken = present(await adjustments.getException(exception.id), `exception ${exception.id} is never deleted`);
    return resume(adjustments, ledger, taken, idempotencyKey);
  }
  return complete(adjustments, ledger, exception.id, adjustment);
}

/** An exception no longer open: the adjustment this key made (completed if it was interrupted), or why there is none. */
async function resume(
  adjustments: Adjustments,
  ledger: LedgerPort,
  exception: StoredException,
  idempotencyKey: string,
): Promise<AdjustmentResult> {
  const { adjustment } = exception;
  if (adjustment?.idempotencyKey !== idempotencyKey) throw alreadyClosed(exception);
  if (exception.status === "adjusting") return complete(adjustments, ledger, exception.id, adjustment);
  const [transaction] = await ledger.lookupTransactions([adjustment.transactionId]);
  const posted = `the ledger has ${adjustment.transactionId}, posted before exception ${exception.id} closed with it`;
  return { exception, transaction: present(transaction, posted) };
}

/** Posts the claimed adjustment and closes the exception; if the ledger refuses it, the exception is open again. */
async function complete(
  adjustments: Adjustments,
  ledger: LedgerPort,
  exceptionId: bigint,
  adjustment: Pick<AdjustmentRecord, "posting">,
): Promise<AdjustmentResult> {
  const transaction = await ledger.post(adjustment.posting).catch(async (err: unknown) => {
    const refused = err instanceof DomainError && err.kind !== "unavailable"; // unavailable: it may be posted all the same
    if (refused) await adjustments.releaseAdjustment(exceptionId);
    throw err;
  });
  return { exception: await adjustments.completeAdjustment(exceptionId), transaction };
}
