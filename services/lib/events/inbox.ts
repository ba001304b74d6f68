import type { JsMsg } from "@nats-io/jetstream";
import type { Knex } from "knex";
import type { Db } from "../db.js";
import { decodePaymentEvent, type PaymentEventData } from "./payment-event.js";

/**
 * Records, inside the caller's transaction, that this event is being applied. False when it already was: the
 * caller then skips its effect. A concurrent duplicate waits on the primary key and sees the winner's outcome.
 */
export async function firstDelivery(trx: Knex.Transaction, eventId: string): Promise<boolean> {
  const inserted = await trx("inbox").insert({ event_id: eventId }).onConflict("event_id").ignore().returning("event_id");
  return inserted.length === 1;
}

export type PaymentEventEffect = (trx: Knex.Transaction, event: PaymentEventData) => Promise<void>;

/**
 * A message handler that applies `effect` at most once per event id: the inbox row and the effect commit in one
 * transaction, so a redelivered or republished event (or a crash before the ack) has no second effect.
 */
export function applyOncePerEvent(db: Db, effect: PaymentEventEffect): (msg: JsMsg) => Promise<void> {
  return async (msg) => {
    const event = decodePaymentEvent(msg.data);
    await db.transaction(async (trx) => {
      if (await firstDelivery(trx, event.eventId)) await effect(trx, event);
    });
  };
}
