import type { Knex } from "knex";
import type { RevenueQuery, RevenueRow } from "../domain/revenue.js";

/** Sums the figures of `days` (day, currency, figure, amount_minor) per currency, period and figure. */
const byPeriod = (
  days: string,
) => `select currency, to_char(date_trunc(?, day::timestamp), 'YYYY-MM-DD') as "periodStart", figure,
  sum(amount_minor)::bigint as "amountMinor" from (${days}) as days group by 1, 2, 3`;

const range = (q: RevenueQuery) => [q.fromDay, q.toDay, q.currency ?? null];

/**
 * The figures of each period: the daily rollups below the checkpoint horizon plus the entries at or above it (see
 * migration 007), in one statement, hence one snapshot: the checkpointer folds entries into revenue_days and moves
 * the horizon in one database transaction, so each entry counts once.
 */
export async function revenueRows(db: Knex, q: RevenueQuery): Promise<RevenueRow[]> {
  const days = `select day, currency, figure, amount_minor from revenue_days where day between ?::date and ?::date and (?::text is null or currency = ?)
    union all
    select * from revenue_entries_from((select horizon from checkpoint_horizon), ?::date, ?::date, ?::text)`;
  const { rows } = await db.raw<{ rows: RevenueRow[] }>(byPeriod(days), [
    q.granularity,
    ...range(q),
    q.currency ?? null,
    ...range(q),
  ]);
  return rows;
}

/** The same figures from the entries alone, without the rollups: what revenueRows must equal (and the benchmark's baseline). */
export async function revenueRowsFromEntries(db: Knex, q: RevenueQuery): Promise<RevenueRow[]> {
  const { rows } = await db.raw<{ rows: RevenueRow[] }>(
    byPeriod("select * from revenue_entries_from('0', ?::date, ?::date, ?::text)"),
    [q.granularity, ...range(q)],
  );
  return rows;
}
