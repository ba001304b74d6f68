import type { Knex } from "knex";
import { DomainError } from "../errors.js";
import { newId } from "../ids.js";

/**
 * The largest encoded event the outbox takes. A row NATS refuses (above its max_payload, 1 MiB by default) is set
 * aside by the relay and holds back every later event of its payment or seller; events are a few hundred bytes, and
 * this leaves room without coming near that limit.
 */
export const MAX_EVENT_BYTES = 64 * 1024;

/** An event too large for the outbox: the change it would announce must not happen either. */
export class EventTooLargeError extends DomainError {
  constructor(
    readonly subject: string,
    readonly bytes: number,
  ) {
    super(
      "failed_precondition",
      `the ${subject} event would be ${bytes} bytes, more than the ${MAX_EVENT_BYTES} an event may have; nothing was changed`,
    );
    this.name = "EventTooLargeError";
  }
}

/**
 * Writes an event to `table`, inside the transaction whose change it announces (the relay publishes it), with the
 * columns that say what it is about; answers its id. An oversized event throws, which rolls that transaction back.
 */
export async function appendOutboxEvent(
  trx: Knex.Transaction,
  table: string,
  event: { subject: string; about: Record<string, string>; encode: (eventId: string) => Uint8Array },
): Promise<string> {
  const eventId = newId("evt");
  const payload = event.encode(eventId);
  if (payload.byteLength > MAX_EVENT_BYTES) throw new EventTooLargeError(event.subject, payload.byteLength);
  await trx(table).insert({ event_id: eventId, subject: event.subject, payload: Buffer.from(payload), ...event.about });
  return eventId;
}
