import { TRANSACTION_PREFIXES } from "../../contracts/accounting/transaction-ids.js";
import { permissionDenied } from "../../lib/errors.js";
import type { Identity } from "../../lib/tls/identity.js";

/**
 * Transaction ids that name what the platform itself books. Whoever posts one first owns that id for ever (posting
 * is idempotent on it), so a squatted `payin:<id>` would stop the real pay-in from being booked: each prefix is
 * kept to its writer. The event prefixes are booked by the ledger's own consumers, which never go through the API.
 */
const WRITERS: ReadonlyArray<{ prefix: string; writers: readonly Identity[] }> = [
  { prefix: TRANSACTION_PREFIXES.payIn, writers: [] },
  { prefix: TRANSACTION_PREFIXES.refund, writers: [] },
  { prefix: TRANSACTION_PREFIXES.payout, writers: [] },
  { prefix: TRANSACTION_PREFIXES.dispute, writers: [] },
  { prefix: TRANSACTION_PREFIXES.settlement, writers: ["reconciliation"] },
  { prefix: TRANSACTION_PREFIXES.adjustment, writers: ["reconciliation"] },
];

export function assertMayPostUnder(transactionId: string, caller: Identity): void {
  const id = transactionId.toLowerCase();
  const reserved = WRITERS.find(({ prefix }) => id.startsWith(prefix));
  if (!reserved || reserved.writers.includes(caller)) return;
  const who = reserved.writers.length === 0 ? "the ledger's own event consumers" : reserved.writers.join(", ");
  throw permissionDenied(
    `transaction ids starting "${reserved.prefix}" are written only by ${who}; ${caller} may not post "${transactionId}"`,
  );
}
