import type { Migration } from "../../../lib/db.js";
import { outboxDeadLetterColumns } from "../../../lib/events/outbox-dead-letters.js";

/** Outbox rows NATS will never take are set aside (dead), with the reason; a payment's later events wait behind them. */
export const outboxDeadLetters: Migration = {
  name: "012_outbox_dead_letters",
  up: (db) => db.raw(outboxDeadLetterColumns.up("outbox", "payment_id")),
  down: (db) => db.raw(outboxDeadLetterColumns.down("outbox")),
};
