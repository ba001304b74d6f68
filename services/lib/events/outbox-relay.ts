import type { JetStreamClient } from "@nats-io/jetstream";
import type { Knex } from "knex";
import type { Db } from "../db.js";
import { failpoint } from "../failpoints.js";
import type { Logger } from "../log.js";
import { eventLogFields } from "./event-log-fields.js";
import { blockedCondition, type OutboxTable } from "./outbox-dead-letters.js";
import { permanentPublishFailure } from "./publish-failure.js";

export interface RelaySettings extends OutboxTable {
  /** A database-wide advisory lock key, one per service, so that one relay at a time serves each outbox. */
  lockKey: number;
  subjectPrefix: string;
  batchSize: number;
  /**
   * Pause when the outbox is empty (or another instance is the relay): idleMinMs after a busy spell, doubling while
   * it stays empty up to idleMaxMs, so that an idle relay costs a transaction every idleMaxMs and the first event
   * after a busy spell waits little.
   */
  idleMinMs: number;
  idleMaxMs: number;
  /** Pause after NATS refused or timed out, before trying again. */
  retryMs: number;
  publishTimeoutMs: number;
}

export const defaultRelaySettings = {
  batchSize: 256,
  idleMinMs: 5,
  idleMaxMs: 200,
  retryMs: 500,
  publishTimeoutMs: 2_000,
} as const;

interface OutboxRow {
  id: bigint;
  event_id: string;
  subject: string;
  payload: Buffer;
  aggregate: string;
}

interface BatchOutcome {
  published: number;
  dead: { row: OutboxRow; reason: string }[];
  failure?: { row: OutboxRow; error: unknown };
}

const logFields = (row: OutboxRow) => ({
  eventId: row.event_id,
  subject: row.subject,
  aggregate: row.aggregate,
  ...eventLogFields(row.subject, row.payload),
});

/**
 * The next rows to publish in id order: unpublished, not dead, and not behind a dead row of their aggregate; none
 * unless this transaction takes the outbox's advisory lock (the lock and the select are one statement: an idle poll
 * is one round trip inside its transaction).
 */
function nextBatchIfLeader(trx: Knex.Transaction, settings: RelaySettings): Promise<OutboxRow[]> {
  const blocked = blockedCondition(settings);
  return trx(`${settings.table} as o`)
    .whereRaw("(select pg_try_advisory_xact_lock(?))", [settings.lockKey])
    .whereNull("o.published_at")
    .whereNull("o.dead_at")
    .whereRaw(`not ${blocked.sql}`, blocked.bindings)
    .orderBy("o.id")
    .limit(settings.batchSize)
    .select("o.id", "o.event_id", "o.subject", "o.payload", trx.ref(`o.${settings.aggregateColumn}`).as("aggregate"));
}

/** A batch's rows as one chain per aggregate, each in id order. */
function chainsByAggregate(rows: OutboxRow[]): OutboxRow[][] {
  const chains = new Map<string, OutboxRow[]>();
  for (const row of rows) {
    const chain = chains.get(row.aggregate);
    if (chain) chain.push(row);
    else chains.set(row.aggregate, [row]);
  }
  return [...chains.values()];
}

/**
 * Publishes outbox rows to JetStream, Nats-Msg-Id = event id, in id order within each aggregate (a payment, a
 * seller): its events are inserted under its row lock, so id order is their order. A single active relay (an
 * advisory lock held for the batch) publishes a batch as one chain per aggregate, the chains all in flight together
 * and each awaiting a row's ack before it publishes the aggregate's next row: an aggregate's row reaches the stream
 * only after its earlier rows are stored, and is marked published only with them. A row NATS will never take
 * (permanentPublishFailure) is set aside (dead_at, dead_reason) and logged; the later rows of its aggregate wait
 * behind it (blocked) while the other aggregates' events go on. Any other failure ends its aggregate's chain (its
 * later rows stay unpublished and unmarked) while the other chains finish, and the next batch is tried after
 * retryMs. The acked rows are marked published in one statement. A row published but not yet marked (crash) is
 * published again: JetStream drops it within the duplicate window, and consumers' inboxes after.
 */
export function startOutboxRelay(
  db: Db,
  js: JetStreamClient,
  settings: RelaySettings,
  log: Logger,
): () => Promise<void> {
  let stopped = false;
  let wake: () => void = () => {};

  const relayBatch = async (): Promise<BatchOutcome> =>
    db.transaction(async (trx) => {
      const rows = await nextBatchIfLeader(trx, settings);
      const done: bigint[] = [];
      const dead: BatchOutcome["dead"] = [];
      let failure: BatchOutcome["failure"];
      const publishChain = async (chain: OutboxRow[]) => {
        for (const row of chain) {
          try {
            await js.publish(`${settings.subjectPrefix}.${row.subject}`, row.payload, {
              msgID: row.event_id,
              timeout: settings.publishTimeoutMs,
            });
            failpoint("payment.relay-after-publish");
            done.push(row.id);
          } catch (error) {
            const reason = permanentPublishFailure(error);
            if (reason === undefined) failure ??= { row, error };
            else dead.push({ row, reason });
            return;
          }
        }
      };
      await Promise.all(chainsByAggregate(rows).map(publishChain));
      if (done.length > 0)
        await trx(settings.table).whereIn("id", done.map(String)).update({ published_at: trx.fn.now() });
      for (const { row, reason } of dead)
        await trx(settings.table)
          .where({ id: String(row.id) })
          .update({ dead_at: trx.fn.now(), dead_reason: reason });
      return { published: done.length, dead, failure };
    });

  const loop = (async () => {
    let idlePause = 0;
    while (!stopped) {
      let pause: number;
      try {
        const { published, dead, failure } = await relayBatch();
        for (const { row, reason } of dead) {
          log.error("outbox event set aside: NATS will never take it; later events of its aggregate wait behind it", {
            ...logFields(row),
            reason,
          });
        }
        if (published > 0 || dead.length > 0) idlePause = 0;
        else idlePause = Math.min(settings.idleMaxMs, Math.max(settings.idleMinMs, idlePause * 2));
        if (failure) {
          log.warn("outbox relay cannot publish; events wait in the outbox", {
            ...logFields(failure.row),
            error: String(failure.error),
          });
          pause = settings.retryMs;
        } else pause = idlePause;
      } catch (err) {
        log.warn("outbox relay failed", { error: String(err) });
        pause = settings.retryMs;
      }
      if (pause > 0) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, pause);
        });
      }
    }
  })();

  return async () => {
    stopped = true;
    wake();
    await loop;
  };
}
