import type { Knex } from "knex";
import type { Db } from "../db.js";
import type { BatchHandler, EventHandler } from "./consumer.js";
import { firstDeliveries, firstDelivery } from "./inbox.js";

/** A durable's handlers: one message at a time, and a batch of them in one database transaction. */
export interface OnceHandlers {
  handle: EventHandler;
  handleBatch: BatchHandler;
}

type Effect<E> = (trx: Knex.Transaction, event: E) => Promise<void>;
type EffectMany<E> = (trx: Knex.Transaction, events: readonly E[]) => Promise<void>;

/** The effect of each event in turn, inside the one transaction. */
export const eachInTurn =
  <E>(effect: Effect<E>): EffectMany<E> =>
  async (trx, events) => {
    for (const event of events) await effect(trx, event);
  };

/**
 * Message handlers that decode the event (a decoder throws PoisonMessage for what can never be applied) and apply
 * its effect at most once per event id: the inbox row and the effect commit in one transaction, so a redelivered or
 * republished event (or a crash before the ack) has no second effect. A batch records all its inbox rows in one
 * statement and hands the events seen for the first time, one per id and in id order, to `effectMany` (by default
 * `effect` for each in turn): a service may book them with fewer statements.
 */
export function applyOnce<E extends { eventId: string }>(
  db: Db,
  decode: (bytes: Uint8Array) => E,
  effect: Effect<E>,
  effectMany: EffectMany<E> = eachInTurn(effect),
): OnceHandlers {
  return {
    handle: async (msg) => {
      const event = decode(msg.data);
      await db.transaction(async (trx) => {
        if (await firstDelivery(trx, event.eventId)) await effect(trx, event);
      });
    },
    handleBatch: async (msgs) => {
      const byId = new Map(msgs.map((msg) => decode(msg.data)).map((event) => [event.eventId, event]));
      await db.transaction(async (trx) => {
        const fresh = await firstDeliveries(trx, [...byId.keys()]);
        const events = [...byId.values()].filter((e) => fresh.has(e.eventId));
        if (events.length > 0)
          await effectMany(
            trx,
            events.sort((a, b) => (a.eventId < b.eventId ? -1 : 1)),
          );
      });
    },
  };
}
