import { retentionMs, type RetainedTable, type Window } from "../retention.js";
import { DUPLICATE_WINDOW_MS, EVENT_RETENTION_MS } from "./streams.js";

export const DEFAULT_OUTBOX_RETENTION_DAYS = 7;
export const DEFAULT_INBOX_RETENTION_DAYS = 30;

/**
 * Published outbox rows (an unpublished one is never deleted: its published_at is null). Once marked, a row is
 * never sent again; it is kept past JetStream's duplicate window (a row published but not marked is resent, and the
 * window drops the copy) and `alsoOutlive`, as the history GetPaymentTimeline reads.
 */
export function outboxRetention(days: number, alsoOutlive: readonly Window[] = []): RetainedTable {
  const windows = [{ what: "JetStream's duplicate window", ms: DUPLICATE_WINDOW_MS }, ...alsoOutlive];
  return { table: "outbox", column: "published_at", keepMs: retentionMs("OUTBOX_RETENTION_DAYS", days, windows) };
}

/**
 * A consumer's inbox rows. An event is delivered or replayed (dead letters point into the stream) only while the
 * stream keeps it, 14 days after it was published, which is before it was first applied; the extra day covers
 * the clocks of NATS and PostgreSQL disagreeing.
 */
export function inboxRetention(days: number): RetainedTable {
  const window = { what: "the event stream's retention plus a day", ms: EVENT_RETENTION_MS + 24 * 3_600_000 };
  return { table: "inbox", column: "received_at", keepMs: retentionMs("INBOX_RETENTION_DAYS", days, [window]) };
}
