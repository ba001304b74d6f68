import type { Knex } from "knex";
import { appendOutboxEvent } from "../../lib/events/outbox-write.js";

/** Writes an event to the outbox, inside the transaction whose change it announces; the relay publishes it. */
export async function appendToOutbox(
  trx: Knex.Transaction,
  paymentId: string,
  subject: string,
  encode: (eventId: string) => Uint8Array,
): Promise<void> {
  await appendOutboxEvent(trx, "outbox", { subject, about: { payment_id: paymentId }, encode });
}
