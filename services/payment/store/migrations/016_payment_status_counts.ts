import type { Knex } from "knex";
import type { Migration } from "../../../lib/db.js";

/**
 * How many rows each status's count is spread over. Every status change writes its count rows and holds them until
 * it commits: on one row per status, concurrent checkouts would take turns; on 32, two changes meet on a row about
 * once in 32. The gauge sums the shards (statuses x 32 rows, whatever the history).
 */
const SHARDS = 32;
const shardOf = (id: string) => `hashtext(${id}) & ${SHARDS - 1}`;

/**
 * Counts the payments in each checkout status anew from the payments themselves, writes waiting meanwhile: after
 * rows were written with the counting trigger off (a bulk load with session_replication_role = replica).
 */
export async function recountPaymentStatuses(db: Knex | Knex.Transaction): Promise<void> {
  await db.raw(`
    lock table payments in share mode;
    delete from payment_status_counts;
    insert into payment_status_counts (status, shard, payments)
      select checkout_status, ${shardOf("id")}, count(*) from payments group by 1, 2;
  `);
}

/**
 * payments{status} read from counts kept as payments change, in the change's own transaction (a rollback takes its
 * counts back with it), instead of counting every payment at each scrape.
 */
export const paymentStatusCounts: Migration = {
  name: "016_payment_status_counts",
  async up(db) {
    await db.raw(`
      create table payment_status_counts (
        status text not null,
        shard smallint not null,
        payments bigint not null,
        primary key (status, shard)
      );

      -- After the checkout_status trigger (a before trigger), so with the status it wrote. A payment's two rows are
      -- written by one statement in status order: two changes that meet on a shard lock its rows in the same order,
      -- so one waits for the other instead of deadlocking.
      create function payment_status_counts() returns trigger language plpgsql as $$
      begin
        insert into payment_status_counts as c (status, shard, payments)
          select status, shard, delta
          from (values (old.checkout_status, ${shardOf("old.id")}, -1),
                       (new.checkout_status, ${shardOf("new.id")}, 1)) as d (status, shard, delta)
          where status is not null
          order by status
          on conflict (status, shard) do update set payments = c.payments + excluded.payments;
        return null;
      end $$;
      create trigger payment_status_counts_insert_delete after insert or delete on payments
        for each row execute function payment_status_counts();
      create trigger payment_status_counts_update after update on payments
        for each row when (old.checkout_status is distinct from new.checkout_status)
        execute function payment_status_counts();
      create function payment_status_counts_truncate() returns trigger language plpgsql as $$
      begin
        truncate payment_status_counts;
        return null;
      end $$;
      create trigger payment_status_counts_truncate after truncate on payments
        for each statement execute function payment_status_counts_truncate();
    `);
    // The triggers' lock on payments holds writes back until this commits: none is counted twice or missed.
    await recountPaymentStatuses(db);
  },
  async down(db) {
    await db.raw(`
      drop trigger payment_status_counts_truncate on payments;
      drop function payment_status_counts_truncate();
      drop trigger payment_status_counts_update on payments;
      drop trigger payment_status_counts_insert_delete on payments;
      drop function payment_status_counts();
      drop table payment_status_counts;
    `);
  },
};
