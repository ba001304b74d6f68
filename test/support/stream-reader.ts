import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { inject } from "vitest";
import { PoisonMessage } from "../../services/lib/events/consumer.js";
import { decodePaymentEvent, type PaymentEventData } from "../../services/lib/events/payment-event.js";

export interface StoredEvent {
  seq: number;
  subject: string;
  msgId: string | undefined;
  event: PaymentEventData;
}

/** Every payment event in the stream, in stream order (refund, payout and other events are left out). */
export async function readPaymentEvents(stream: string): Promise<StoredEvent[]> {
  const nc = await connect({ servers: inject("natsUrl") });
  try {
    const jsm = await jetstreamManager(nc);
    const { state } = await jsm.streams.info(stream);
    const events: StoredEvent[] = [];
    for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
      const m = await jsm.streams.getMessage(stream, { seq });
      if (!m || !m.subject.includes(".payment.")) continue;
      try {
        events.push({ seq, subject: m.subject, msgId: m.header.get("Nats-Msg-Id") || undefined, event: decodePaymentEvent(m.data) });
      } catch (err) {
        if (!(err instanceof PoisonMessage)) throw err;
      }
    }
    return events;
  } finally {
    await nc.close();
  }
}
