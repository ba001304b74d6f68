import type { PostTransactionRequest } from "../../../gen/ledger/v1/ledger_pb.js";
import { type Posting, validatePosting } from "../../contracts/accounting/postings.js";
import { DomainError, invalidArgument } from "../../lib/errors.js";
import type { Identity } from "../../lib/tls/identity.js";
import { MAX_BATCH_POSTINGS } from "../domain/posting.js";
import { assertMayPostUnder } from "../domain/reserved-ids.js";
import { directionFromProto } from "./ledger-proto.js";

/** PostTransaction's request as a posting the caller may post: every rule that needs no database. */
export function requirePosting(req: PostTransactionRequest, caller: Identity): Posting {
  const posting = validatePosting({
    transactionId: req.transactionId,
    description: req.description,
    entries: req.entries.map((e) => ({
      accountCode: e.accountCode,
      direction: directionFromProto(e.direction),
      amount: e.amount,
    })),
  });
  assertMayPostUnder(posting.transactionId, caller);
  return posting;
}

/** PostTransactions' 1..1000 requests, each checked as PostTransaction's; the first refusal names its index. */
export function requirePostings(requests: PostTransactionRequest[], caller: Identity): Posting[] {
  if (requests.length === 0 || requests.length > MAX_BATCH_POSTINGS) {
    throw invalidArgument("transactions", `must hold 1 to ${MAX_BATCH_POSTINGS} transactions, got ${requests.length}`);
  }
  return requests.map((req, i) => {
    try {
      return requirePosting(req, caller);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      // A field's error ("entries: ...") becomes "transactions[i].entries: ..."; any other, "transactions[i]: ...".
      const separator = err.kind === "invalid_argument" ? "." : ": ";
      throw new DomainError(err.kind, `transactions[${i}]${separator}${err.message}`);
    }
  });
}
