import { create, toBinary } from "@bufbuild/protobuf";
import { randomUUID } from "node:crypto";
import { PaymentEventSchema } from "../../gen/payment/v1/events_pb.js";
import type { Db } from "../../services/lib/db.js";

export interface OutboxEventRow {
  paymentId: string;
  /** payment.executing unless given. */
  subject?: string;
  /** Pads the event to about this many bytes. */
  bytes?: number;
}

/**
 * Inserts EXECUTING events straight into the payment outbox (past appendOutboxEvent's 64 KiB cap) in one
 * statement, so that their ids follow the order given and the relay finds them all at once; answers their event ids.
 */
export async function insertOutboxEvents(db: Db, rows: OutboxEventRow[]): Promise<string[]> {
  const inserted = rows.map(({ paymentId, subject = "payment.executing", bytes = 0 }) => {
    const eventId = `evt_${randomUUID()}`;
    const payload = toBinary(
      PaymentEventSchema,
      create(PaymentEventSchema, { eventId, paymentId, status: 1, failureReason: "x".repeat(bytes) }),
    );
    return { event_id: eventId, payment_id: paymentId, subject, payload: Buffer.from(payload) };
  });
  await db("outbox").insert(inserted);
  return inserted.map((r) => r.event_id);
}
