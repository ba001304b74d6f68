import { createHash } from "node:crypto";
import type { Posting } from "../../contracts/accounting/postings.js";

/** At most this many postings in one batch (one statement, one commit): PostTransactions' limit too. */
export const MAX_BATCH_POSTINGS = 1000;

export interface PostedTransaction extends Posting {
  postedAt: Date;
}

/** Identifies a transaction's content behind its id: the same description and entries, in order, hash the same. */
export function postingFingerprint(posting: Posting): string {
  const canonical = JSON.stringify([
    posting.description,
    posting.entries.map((e) => [e.accountCode, e.direction, e.amount.amountMinor.toString(), e.amount.currency]),
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}
