import type { Knex } from "knex";
import { newId } from "../../lib/ids.js";

/** Writes an event to the outbox, inside the transaction whose change it announces; the relay publishes it. */
export async function appendToOutbox(
  trx: Knex.Transaction,
  paymentId: string,
  subject: string,
  encode: (eventId: string) => Uint8Array,
): Promise<void> {
  const eventId = newId("evt");
  await trx("outbox").insert({ event_id: eventId, payment_id: paymentId, subject, payload: Buffer.from(encode(eventId)) });
}
