import type { Knex } from "knex";
import type { BookedCounts } from "../app/ports.js";
import type { Amount, BookedFlow, HourTotal } from "../domain/stalls.js";

/**
 * Transactions of each flow per hour of posting and currency since `since`, with the amounts of their amount
 * entries added up: on the posted_at index, then each transaction's entries by primary key (same hours as the sources').
 */
export async function bookedPerHour(db: Knex, flows: readonly BookedFlow[], since: Date): Promise<HourTotal[]> {
  const { rows } = await db.raw(
    `select f.name as flow, (extract(epoch from date_bin('1 hour', t.posted_at, timestamptz '2000-01-01 00:00:00Z')) * 1000)::float8 as hour,
            e.currency, count(*)::bigint as count, sum(e.amount_minor)::bigint as "sumMinor"
     from transactions t join unnest(?::text[], ?::text[], ?::text[], ?::text[]) as f(name, pattern, account, direction) on t.id like f.pattern
     join entries e on e.transaction_id = t.id and e.account_code like f.account and e.direction = f.direction
     where t.posted_at >= ? group by 1, 2, 3`,
    [
      flows.map((f) => f.name),
      flows.map((f) => f.pattern),
      flows.map((f) => f.amountEntry.account),
      flows.map((f) => f.amountEntry.direction),
      since,
    ],
  );
  return rows;
}

/** The amount `flow`'s entry books in each of `transactionIds` that was posted (the others are absent). */
export async function bookedAmounts(
  db: Knex,
  flow: BookedFlow,
  transactionIds: string[],
): Promise<Map<string, Amount>> {
  const { rows } = await db.raw<{ rows: { id: string; currency: string | null; amountMinor: bigint | null }[] }>(
    `select t.id, e.currency, e.amount_minor as "amountMinor" from transactions t
     left join entries e on e.transaction_id = t.id and e.account_code like ? and e.direction = ?
     where t.id = any(?::text[])`,
    [flow.amountEntry.account, flow.amountEntry.direction, transactionIds],
  );
  // A transaction without its amount entry booked nothing of the item.
  return new Map(rows.map((r) => [r.id, { currency: r.currency ?? "", amountMinor: r.amountMinor ?? 0n }]));
}

/** The queries above on `db`, as the stall check reads them. */
export const bookedCounts = (db: Knex): BookedCounts => ({
  bookedPerHour: (flows, since) => bookedPerHour(db, flows, since),
  bookedAmounts: (flow, transactionIds) => bookedAmounts(db, flow, transactionIds),
});
