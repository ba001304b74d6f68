import type { Db } from "../db.js";

/**
 * An outbox table and the column naming the aggregate (a payment, a seller) whose events must reach the stream in
 * the order they were written. Events of different aggregates need no order between them.
 */
export interface OutboxTable {
  table: string;
  aggregateColumn: string;
}

/**
 * The columns that set a row aside (dead): NATS refused it for a reason that will not go away. A dead row is never
 * published (published_at stays null, so a clean-up of published rows never takes it), and the later rows of its
 * aggregate wait behind it (blocked) until an operator re-queues it.
 */
export const outboxDeadLetterColumns = {
  up: (table: string, aggregateColumn: string) => `
    alter table ${table} add column dead_at timestamptz, add column dead_reason text,
      add constraint ${table}_dead_unpublished check (dead_at is null or published_at is null),
      add constraint ${table}_dead_reason check ((dead_at is null) = (dead_reason is null));
    create index ${table}_dead on ${table} (${aggregateColumn}, id) where dead_at is not null`,
  down: (table: string) => `
    drop index ${table}_dead;
    alter table ${table} drop column dead_at, drop column dead_reason`,
};

/** SQL true for an outbox row `o` that waits behind a dead row of its aggregate (found by the partial index). */
export function blockedCondition({ table, aggregateColumn }: OutboxTable): { sql: string; bindings: string[] } {
  return {
    sql: "exists (select 1 from ?? d where d.?? = o.?? and d.dead_at is not null and d.id < o.id)",
    bindings: [table, aggregateColumn, aggregateColumn],
  };
}

export interface OutboxDeadLetter {
  eventId: string;
  subject: string;
  aggregate: string;
  bytes: number;
  createdAt: Date;
  deadAt: Date;
  reason: string;
  /** Later events of the same aggregate waiting behind this one. */
  blocked: number;
}

/** The dead rows of an outbox, oldest first, each with how many events wait behind it. */
export async function listOutboxDeadLetters(db: Db, outbox: OutboxTable): Promise<OutboxDeadLetter[]> {
  const { table, aggregateColumn } = outbox;
  const rows = await db(`${table} as o`)
    .whereNotNull("o.dead_at")
    .orderBy("o.id")
    .select(
      "o.event_id",
      "o.subject",
      db.ref(`o.${aggregateColumn}`).as("aggregate"),
      db.raw("octet_length(o.payload)::int as bytes"),
      "o.created_at",
      "o.dead_at",
      "o.dead_reason",
      db.raw(
        "(select count(*)::int from ?? l where l.?? = o.?? and l.id > o.id and l.published_at is null) as blocked",
        [table, aggregateColumn, aggregateColumn],
      ),
    );
  return rows.map((r) => ({
    eventId: r.event_id,
    subject: r.subject,
    aggregate: r.aggregate,
    bytes: r.bytes,
    createdAt: r.created_at,
    deadAt: r.dead_at,
    reason: r.dead_reason,
    blocked: r.blocked,
  }));
}

/**
 * Puts a dead row back in line (after the cause is fixed, e.g. NATS's max_payload raised): the relay publishes it
 * first of its aggregate, then the events that waited behind it. False when `eventId` names no dead row.
 */
export async function requeueOutboxDeadLetter(db: Db, outbox: OutboxTable, eventId: string): Promise<boolean> {
  const updated = await db(outbox.table)
    .where({ event_id: eventId })
    .whereNotNull("dead_at")
    .update({ dead_at: null, dead_reason: null });
  return updated === 1;
}
