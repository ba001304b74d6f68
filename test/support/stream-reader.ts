import { jetstreamManager, type StoredMsg } from "@nats-io/jetstream";
import { PoisonMessage } from "../../services/lib/events/consumer.js";
import { decodePaymentEvent, type PaymentEventData } from "../../services/contracts/events/payment-event.js";
import { connectAs, HARNESS } from "./nats-users.js";

export interface StoredEvent {
  seq: number;
  subject: string;
  msgId: string | undefined;
  event: PaymentEventData;
}

/** The stream's messages whose subject contains `subjectPart` (e.g. ".dispute."), in stream order. */
export async function readStreamMessages(stream: string, subjectPart: string): Promise<StoredMsg[]> {
  const nc = await connectAs(HARNESS);
  try {
    const jsm = await jetstreamManager(nc);
    const { state } = await jsm.streams.info(stream);
    const messages: StoredMsg[] = [];
    for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
      const m = await jsm.streams.getMessage(stream, { seq });
      if (m?.subject.includes(subjectPart)) messages.push(m);
    }
    return messages;
  } finally {
    await nc.close();
  }
}

/** Every payment event in the stream, in stream order (refund, dispute, payout and other events are left out). */
export async function readPaymentEvents(stream: string): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for (const m of await readStreamMessages(stream, ".payment.")) {
    try {
      events.push({
        seq: m.seq,
        subject: m.subject,
        msgId: m.header.get("Nats-Msg-Id") || undefined,
        event: decodePaymentEvent(m.data),
      });
    } catch (err) {
      if (!(err instanceof PoisonMessage)) throw err;
    }
  }
  return events;
}
