import type { Knex } from "knex";

/**
 * Records, inside the caller's transaction, that this event is being applied. False when it already was: the
 * caller then skips its effect. A concurrent duplicate waits on the primary key and sees the winner's outcome.
 */
export async function firstDelivery(trx: Knex.Transaction, eventId: string): Promise<boolean> {
  return (await firstDeliveries(trx, [eventId])).has(eventId);
}

/**
 * firstDelivery for several events in one statement: the ids among `eventIds` recorded now. In id order, so that
 * two transactions recording overlapping events wait on each other in line, never in a circle.
 */
export async function firstDeliveries(trx: Knex.Transaction, eventIds: readonly string[]): Promise<Set<string>> {
  const { rows } = await trx.raw<{ rows: { event_id: string }[] }>(
    `insert into inbox (event_id) select id from unnest(?::text[]) as id order by id
     on conflict (event_id) do nothing returning event_id`,
    [[...new Set(eventIds)].sort()],
  );
  return new Set(rows.map((r) => r.event_id));
}
