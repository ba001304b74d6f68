import type { JetStreamClient } from "@nats-io/jetstream";
import type { Db } from "../db.js";
import { failpoint } from "../failpoints.js";
import type { Logger } from "../log.js";
import { eventLogFields } from "./event-log-fields.js";

export interface RelaySettings {
  /** The service's outbox table (in its own schema): id, event_id, subject, payload, published_at. */
  table: string;
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
}

/**
 * Publishes outbox rows to JetStream in id order, Nats-Msg-Id = event id. Events of one payment are inserted under
 * its row lock, so id order is their order; publishing one at a time, stopping at the first failure, and a single
 * active relay (an advisory lock held for the batch) keep that order on the stream. A row published but not yet
 * marked (crash) is published again: JetStream drops it within the duplicate window, and consumers' inboxes after.
 */
export function startOutboxRelay(db: Db, js: JetStreamClient, settings: RelaySettings, log: Logger): () => Promise<void> {
  let stopped = false;
  let wake: () => void = () => {};

  const relayBatch = async (): Promise<{ published: number; failure?: unknown; stuck?: OutboxRow }> =>
    db.transaction(async (trx) => {
      const { rows } = await trx.raw("select pg_try_advisory_xact_lock(?) as leader", [settings.lockKey]);
      if (!rows[0].leader) return { published: 0 };
      const batch: OutboxRow[] = await trx(settings.table).whereNull("published_at").orderBy("id").limit(settings.batchSize);
      const done: bigint[] = [];
      let failure: unknown;
      let stuck: OutboxRow | undefined;
      for (const row of batch) {
        try {
          await js.publish(`${settings.subjectPrefix}.${row.subject}`, row.payload, { msgID: row.event_id, timeout: settings.publishTimeoutMs });
          failpoint("payment.relay-after-publish");
          done.push(row.id);
        } catch (err) {
          failure = err;
          stuck = row;
          break;
        }
      }
      if (done.length > 0) await trx(settings.table).whereIn("id", done.map(String)).update({ published_at: trx.fn.now() });
      return { published: done.length, failure, stuck };
    });

  const loop = (async () => {
    while (!stopped) {
      let pause = settings.idleMs;
      try {
        const { published, failure, stuck } = await relayBatch();
        if (failure) {
          const event = stuck && { eventId: stuck.event_id, subject: stuck.subject, ...eventLogFields(stuck.subject, stuck.payload) };
          log.warn("outbox relay cannot publish; events wait in the outbox", { ...event, error: String(failure) });
          pause = settings.retryMs;
        } else if (published > 0) pause = 0;
      } catch (err) {
        log.warn("outbox relay failed", { error: String(err) });
        pause = settings.retryMs;
      }
      if (pause > 0) await new Promise<void>((resolve) => ((wake = resolve), setTimeout(resolve, pause)));
    }
  })();

  return async () => {
    stopped = true;
    wake();
    await loop;
  };
}
