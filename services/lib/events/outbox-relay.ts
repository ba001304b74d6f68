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
  /** Pause when the outbox is empty. */
  idleMs: number;
  /** Pause after NATS refused or timed out, before trying again. */
  retryMs: number;
  publishTimeoutMs: number;
}

export const defaultRelaySettings = { batchSize: 256, idleMs: 50, retryMs: 500, publishTimeoutMs: 2_000 } as const;

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

/** The next rows to publish in id order: unpublished, not dead, and not behind a dead row of their aggregate. */
function nextBatch(trx: Knex.Transaction, settings: RelaySettings): Promise<OutboxRow[]> {
  const blocked = blockedCondition(settings);
  return trx(`${settings.table} as o`)
    .whereNull("o.published_at")
    .whereNull("o.dead_at")
    .whereRaw(`not ${blocked.sql}`, blocked.bindings)
    .orderBy("o.id")
    .limit(settings.batchSize)
    .select("o.id", "o.event_id", "o.subject", "o.payload", trx.ref(`o.${settings.aggregateColumn}`).as("aggregate"));
}

/**
 * Publishes outbox rows to JetStream, Nats-Msg-Id = event id, in id order within each aggregate (a payment, a
 * seller): its events are inserted under its row lock, so id order is their order, and a single active relay (an
 * advisory lock held for the batch) publishing one at a time keeps that order on the stream. A row NATS will never
 * take (permanentPublishFailure) is set aside (dead_at, dead_reason) and logged; the later rows of its aggregate wait
 * behind it (blocked) while the other aggregates' events go on. Any other failure stops the batch, to be tried again
 * after retryMs. A row published but not yet marked (crash) is published again: JetStream drops it within the
 * duplicate window, and consumers' inboxes after.
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
      const { rows } = await trx.raw("select pg_try_advisory_xact_lock(?) as leader", [settings.lockKey]);
      if (!rows[0].leader) return { published: 0, dead: [] };
      const done: bigint[] = [];
      const dead: BatchOutcome["dead"] = [];
      const deadAggregates = new Set<string>();
      let failure: BatchOutcome["failure"];
      for (const row of await nextBatch(trx, settings)) {
        if (deadAggregates.has(row.aggregate)) continue;
        try {
          await js.publish(`${settings.subjectPrefix}.${row.subject}`, row.payload, {
            msgID: row.event_id,
            timeout: settings.publishTimeoutMs,
          });
          failpoint("payment.relay-after-publish");
          done.push(row.id);
        } catch (error) {
          const reason = permanentPublishFailure(error);
          if (reason === undefined) {
            failure = { row, error };
            break;
          }
          dead.push({ row, reason });
          deadAggregates.add(row.aggregate);
        }
      }
      if (done.length > 0)
        await trx(settings.table).whereIn("id", done.map(String)).update({ published_at: trx.fn.now() });
      for (const { row, reason } of dead)
        await trx(settings.table)
          .where({ id: String(row.id) })
          .update({ dead_at: trx.fn.now(), dead_reason: reason });
      return { published: done.length, dead, failure };
    });

  const loop = (async () => {
    while (!stopped) {
      let pause = settings.idleMs;
      try {
        const { published, dead, failure } = await relayBatch();
        for (const { row, reason } of dead) {
          log.error("outbox event set aside: NATS will never take it; later events of its aggregate wait behind it", {
            ...logFields(row),
            reason,
          });
        }
        if (failure) {
          log.warn("outbox relay cannot publish; events wait in the outbox", {
            ...logFields(failure.row),
            error: String(failure.error),
          });
          pause = settings.retryMs;
        } else if (published > 0 || dead.length > 0) pause = 0;
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
