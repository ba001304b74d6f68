import type { Knex } from "knex";
import type { Db } from "../db.js";
import type { EventHandler } from "./consumer.js";
import { firstDelivery } from "./inbox.js";

/**
 * A message handler that decodes the event (a decoder throws PoisonMessage for what can never be applied) and
 * applies `effect` at most once per event id: the inbox row and the effect commit in one transaction, so a
 * redelivered or republished event (or a crash before the ack) has no second effect.
 */
export function applyOnce<E extends { eventId: string }>(
  db: Db,
  decode: (bytes: Uint8Array) => E,
  effect: (trx: Knex.Transaction, event: E) => Promise<void>,
): EventHandler {
  return async (msg) => {
    const event = decode(msg.data);
    await db.transaction(async (trx) => {
      if (await firstDelivery(trx, event.eventId)) await effect(trx, event);
    });
  };
}
