import { ConnectError } from "@connectrpc/connect";

// SQLSTATEs after which the same work, run again from its start, may succeed.
const TRANSIENT_SQLSTATES = new Set([
  "57P01", // admin_shutdown: the server is stopping (a switchover)
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now: starting up, or in recovery
  "25006", // read_only_sql_transaction: a demoted primary, or a replica, answered
  "40001", // serialization_failure
  "40P01", // deadlock_detected
]);
// The socket went away under node-postgres, or never came up.
const TRANSIENT_SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
]);
// node-postgres says these without any code; knex puts the statement before them ("ROLLBACK - Connection ...").
const TRANSIENT_MESSAGES = [
  /Connection terminated/,
  /Connection ended unexpectedly/,
  /Client has encountered a connection error and is not queryable/,
  /timeout exceeded when trying to connect/,
];
const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * True when a database call failed because the store was away (a failover, a restart, a cut network) rather than
 * because of what was asked: running the same work again, from its start, may succeed. The one place that knows.
 */
export function isTransientStoreError(err: unknown): boolean {
  // Another service's answer (its cause may be a refused socket): that service's outage, not our store's.
  if (!(err instanceof Error) || err instanceof ConnectError) return false;
  if (err.name === "KnexTimeoutError") return true; // no pooled connection came within acquireConnectionTimeout
  const { code } = err as { code?: unknown };
  if (typeof code === "string" && TRANSIENT_SOCKET_CODES.has(code)) return true;
  // The server's own error: its SQLSTATE alone says (its message may quote anything, the request's data too).
  if (typeof code === "string" && SQLSTATE.test(code)) return code.startsWith("08") || TRANSIENT_SQLSTATES.has(code);
  if (TRANSIENT_MESSAGES.some((m) => m.test(err.message))) return true;
  // An AggregateError (several addresses refused) or an error wrapping its cause.
  const inner = err instanceof AggregateError ? err.errors : [(err as { cause?: unknown }).cause];
  return inner.some((e) => e !== undefined && e !== err && isTransientStoreError(e));
}

/** True when the database undid the transaction for its clash with concurrent ones (a deadlock, a serialization failure). */
export function isConcurrencyConflict(err: unknown): boolean {
  const { code } = (err ?? {}) as { code?: unknown };
  return code === "40P01" || code === "40001";
}

/** What a caller reads when the store stayed away longer than the call could wait. */
export const STORE_UNAVAILABLE_MESSAGE =
  "the database is unavailable (failing over?); retry with the same idempotency key";
