import type { Knex } from "knex";
import type { RevenueQuery, RevenueRow } from "../domain/revenue.js";

/** revenue_entries' rows (migration 007) of the range, by posting time, in the query's currency if it has one. */
const ENTRIES_OF_RANGE = `select day, currency, figure, amount_minor from revenue_entries
  where posted_at >= (?::date)::timestamp at time zone 'UTC' and posted_at < (?::date + 1)::timestamp at time zone 'UTC'
    and (?::text is null or currency = ?)`;

/** Sums the figures of `days` (day, currency, figure, amount_minor) per currency, period and figure. */
const byPeriod = (days: string) => `select currency, to_char(date_trunc(?, day::timestamp), 'YYYY-MM-DD') as "periodStart", figure,
  sum(amount_minor)::bigint as "amountMinor" from (${days}) as days group by 1, 2, 3`;

const entryBindings = (q: RevenueQuery) => [q.fromDay, q.toDay, q.currency ?? null, q.currency ?? null];

/**
 * The figures of each period: the daily rollups below the checkpoint horizon plus the entries at or above it (found
 * by transactions(xid)), in one statement, hence one snapshot: the checkpointer folds entries into revenue_days and
 * moves the horizon in one database transaction, so each entry counts once.
 */
export async function revenueRows(db: Knex, q: RevenueQuery): Promise<RevenueRow[]> {
  const days = `select day, currency, figure, amount_minor from revenue_days where day between ?::date and ?::date and (?::text is null or currency = ?)
    union all
    ${ENTRIES_OF_RANGE} and xid >= (select horizon from checkpoint_horizon)`;
  const { rows } = await db.raw<{ rows: RevenueRow[] }>(byPeriod(days), [q.granularity, ...entryBindings(q), ...entryBindings(q)]);
  return rows;
}

/** The same figures from the entries alone, without the rollups: what revenueRows must equal (and the benchmark's baseline). */
export async function revenueRowsFromEntries(db: Knex, q: RevenueQuery): Promise<RevenueRow[]> {
  const { rows } = await db.raw<{ rows: RevenueRow[] }>(byPeriod(ENTRIES_OF_RANGE), [q.granularity, ...entryBindings(q)]);
  return rows;
}
