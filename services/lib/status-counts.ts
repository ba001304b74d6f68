import type { Knex } from "knex";

/**
 * A table whose rows are counted by status in a table of counts kept by triggers, so that a status gauge reads a
 * few dozen rows whatever the history, instead of counting every row at each scrape. The counts change in the same
 * transaction as the rows (a rollback takes them back), whichever code writes the rows.
 */
export interface CountedStatuses {
  /** The table counted, e.g. payments. */
  table: string;
  /** Its status column. */
  status: string;
  /** Its key column: a row's count goes to the shard its key hashes to. */
  key: string;
  /** The table of counts, (status, shard, counted); also the name of its trigger function. */
  counts: string;
}

/**
 * How many rows each status's count is spread over. Every change writes its count rows and holds them until it
 * commits: on one row per status, concurrent changes would take turns; on 32, two changes meet on a row about once
 * in 32. A reader sums the shards (statuses x 32 rows).
 */
const SHARDS = 32;
const shardOf = (key: string) => `hashtext(${key}) & ${SHARDS - 1}`;

/** For a migration: the table of counts and its triggers; fill it with recountStatuses in the same transaction. */
export function statusCountsSql({ table, status, key, counts }: CountedStatuses): string {
  return `
    create table ${counts} (
      status text not null,
      shard smallint not null,
      counted bigint not null,
      primary key (status, shard)
    );

    -- An after trigger: with the status any before trigger wrote. A row's two counts are written by one statement in
    -- status order: two changes that meet on a shard lock its rows in the same order, so one waits for the other
    -- instead of deadlocking.
    create function ${counts}() returns trigger language plpgsql as $$
    begin
      insert into ${counts} as c (status, shard, counted)
        select status, shard, delta
        from (values (old.${status}, ${shardOf(`old.${key}`)}, -1),
                     (new.${status}, ${shardOf(`new.${key}`)}, 1)) as d (status, shard, delta)
        where status is not null
        order by status
        on conflict (status, shard) do update set counted = c.counted + excluded.counted;
      return null;
    end $$;
    create trigger ${counts}_insert_delete after insert or delete on ${table}
      for each row execute function ${counts}();
    create trigger ${counts}_update after update on ${table}
      for each row when (old.${status} is distinct from new.${status}) execute function ${counts}();

    create function ${counts}_truncate() returns trigger language plpgsql as $$
    begin
      truncate ${counts};
      return null;
    end $$;
    create trigger ${counts}_truncate after truncate on ${table}
      for each statement execute function ${counts}_truncate();
  `;
}

export function dropStatusCountsSql({ table, counts }: CountedStatuses): string {
  return `
    drop trigger ${counts}_truncate on ${table};
    drop function ${counts}_truncate();
    drop trigger ${counts}_update on ${table};
    drop trigger ${counts}_insert_delete on ${table};
    drop function ${counts}();
    drop table ${counts};
  `;
}

/**
 * Counts the rows in each status anew from the rows themselves, writes to them waiting meanwhile: when the counts
 * are created, and after rows were written with the triggers off (a bulk load with session_replication_role =
 * replica).
 */
export async function recountStatuses(
  db: Knex | Knex.Transaction,
  { table, status, key, counts }: CountedStatuses,
): Promise<void> {
  await db.raw(`
    lock table ${table} in share mode;
    delete from ${counts};
    insert into ${counts} (status, shard, counted)
      select ${status}, ${shardOf(key)}, count(*) from ${table} group by 1, 2;
  `);
}
