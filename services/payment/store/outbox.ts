import type { Knex } from "knex";
import { appendOutboxEvent, EventTooLargeError, MAX_EVENT_BYTES } from "../../lib/events/outbox-write.js";
import { newId } from "../../lib/ids.js";

/** The payment service's outbox: its relay lock; a payment's events (its refunds' and disputes' too) stay in order. */
export const PAYMENT_OUTBOX = { table: "outbox", aggregateColumn: "payment_id", lockKey: 0x0b7b0c5 };

/** Writes an event to the outbox, inside the transaction whose change it announces; the relay publishes it. */
export async function appendToOutbox(
  trx: Knex.Transaction,
  paymentId: string,
  subject: string,
  encode: (eventId: string) => Uint8Array,
): Promise<void> {
  await appendOutboxEvent(trx, PAYMENT_OUTBOX.table, { subject, about: { payment_id: paymentId }, encode });
}

/**
 * An event's outbox columns (all but the payment's), for a statement that writes it with the change it announces (as
 * appendToOutbox would): an oversized event throws, before anything is written.
 */
export function outboxEvent(
  subject: string,
  encode: (eventId: string) => Uint8Array,
): { event_id: string; subject: string; payload: Buffer } {
  const eventId = newId("evt");
  const payload = encode(eventId);
  if (payload.byteLength > MAX_EVENT_BYTES) throw new EventTooLargeError(subject, payload.byteLength);
  return { event_id: eventId, subject, payload: Buffer.from(payload) };
}
