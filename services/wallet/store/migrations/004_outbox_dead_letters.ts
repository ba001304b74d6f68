import type { Migration } from "../../../lib/db.js";
import { outboxDeadLetterColumns } from "../../../lib/events/outbox-dead-letters.js";

/**
 * The seller of each payout event (a seller's payout events are published in order), and the columns that set aside
 * the rows NATS will never take (dead); a seller's later events wait behind them.
 */
export const outboxDeadLetters: Migration = {
  name: "004_outbox_dead_letters",
  async up(db) {
    await db.raw(`
      alter table outbox add column seller_id text;
      update outbox o set seller_id = p.seller_id from payouts p where p.payout_id = o.payout_id;
      alter table outbox alter column seller_id set not null`);
    await db.raw(outboxDeadLetterColumns.up("outbox", "seller_id"));
  },
  async down(db) {
    await db.raw(outboxDeadLetterColumns.down("outbox"));
    await db.raw("alter table outbox drop column seller_id");
  },
};
