import type { Knex } from "knex";
import type { BookedFlow, HourCount } from "../domain/stalls.js";

/** Transactions of each flow per hour of posting since `since`, on the posted_at index (same hours as the sources'). */
export async function bookedPerHour(db: Knex, flows: readonly BookedFlow[], since: Date): Promise<HourCount[]> {
  const { rows } = await db.raw(
    `select f.name as flow, (extract(epoch from date_bin('1 hour', t.posted_at, timestamptz '2000-01-01 00:00:00Z')) * 1000)::float8 as hour,
            count(*)::bigint as count
     from transactions t join unnest(?::text[], ?::text[]) as f(name, pattern) on t.id like f.pattern
     where t.posted_at >= ? group by 1, 2`,
    [flows.map((f) => f.name), flows.map((f) => f.pattern), since],
  );
  return rows;
}

/** Those of `transactionIds` that were never posted. */
export async function unposted(db: Knex, transactionIds: string[]): Promise<string[]> {
  const { rows } = await db.raw<{ rows: { id: string }[] }>(
    "select id from unnest(?::text[]) as asked(id) where not exists (select 1 from transactions t where t.id = asked.id)",
    [transactionIds],
  );
  return rows.map((r) => r.id);
}
