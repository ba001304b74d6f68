import type { Knex } from "knex";

/**
 * Records, inside the caller's transaction, that this event is being applied. False when it already was: the
 * caller then skips its effect. A concurrent duplicate waits on the primary key and sees the winner's outcome.
 */
export async function firstDelivery(trx: Knex.Transaction, eventId: string): Promise<boolean> {
  const inserted = await trx("inbox")
    .insert({ event_id: eventId })
    .onConflict("event_id")
    .ignore()
    .returning("event_id");
  return inserted.length === 1;
}
