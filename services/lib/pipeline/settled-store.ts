import type { Knex } from "knex";

/** Items of one kind that, once settled, must reach the ledger: a table with an id, currency, created_at and updated_at. */
export interface SettledFlow {
  name: string;
  table: string;
  idColumn: string;
  /** The amount in minor units that the ledger books for an item. */
  amountColumn: string;
  /** SQL condition of a settled row, e.g. "status = 'PAID'". */
  settled: string;
}

export interface FlowHourCount {
  flow: string;
  hour: Date;
  currency: string;
  count: bigint;
  sumMinor: bigint;
}

// Hours counted from a fixed UTC origin, so that every service's database cuts the same hours whatever its TimeZone.
const HOUR = "date_bin('1 hour', created_at, timestamptz '2000-01-01 00:00:00Z')";

/** Settled items and their amounts per flow, hour of creation and currency, created in [since, before); on the created_at index. */
export async function settledPerHour(
  db: Knex,
  flows: readonly SettledFlow[],
  since: Date,
  before: Date,
): Promise<FlowHourCount[]> {
  const parts = flows.map(
    (f) => `select ?::text as flow, ${HOUR} as hour, currency::text as currency, count(*)::bigint as count,
                   sum(${f.amountColumn})::bigint as "sumMinor" from ${f.table}
            where created_at >= ? and created_at < ? and ${f.settled} group by 2, 3`,
  );
  const { rows } = await db.raw(
    `${parts.join(" union all ")} order by 1, 2, 3`,
    flows.flatMap((f) => [f.name, since, before]),
  );
  return rows as FlowHourCount[];
}

export interface SettledCursor {
  createdAt: string;
  id: string;
}

export interface SettledRow {
  id: string;
  currency: string;
  amountMinor: bigint;
  createdAt: string;
}

/** One flow's items created in [from, until) and settled (last updated) before `settledBefore`, in creation order. */
export async function settledItems(
  db: Knex,
  flow: SettledFlow,
  q: { from: Date; until: Date; settledBefore: Date; after: SettledCursor | undefined; limit: number },
): Promise<SettledRow[]> {
  const after = q.after ? `and (created_at, ${flow.idColumn}) > (?::timestamptz, ?)` : "";
  const { rows } = await db.raw(
    `select ${flow.idColumn} as id, currency::text as currency, ${flow.amountColumn}::bigint as "amountMinor",
            to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as "createdAt" from ${flow.table}
     where created_at >= ? and created_at < ? and updated_at < ? and ${flow.settled} ${after}
     order by created_at, ${flow.idColumn} limit ?`,
    [q.from, q.until, q.settledBefore, ...(q.after ? [q.after.createdAt, q.after.id] : []), q.limit],
  );
  return rows;
}

export interface OutboxBacklog {
  unpublished: bigint;
  oldest: Date | undefined;
}

/**
 * Outbox rows created before `before` and still unpublished, on the partial index of unpublished rows. (When the
 * outbox gains rows moved aside as dead, they belong in a count of their own, not in this one.)
 */
export async function outboxBacklog(db: Knex, before: Date): Promise<OutboxBacklog> {
  const { rows } = await db.raw(
    "select count(*)::bigint as unpublished, min(created_at) as oldest from outbox where published_at is null and created_at < ?",
    [before],
  );
  return { unpublished: rows[0].unpublished, oldest: rows[0].oldest ?? undefined };
}
