import type { Knex } from "knex";
import { appendOutboxEvent } from "../../lib/events/outbox-write.js";

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
