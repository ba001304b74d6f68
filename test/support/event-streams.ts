import { randomBytes, randomUUID } from "node:crypto";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { LEDGER_PAYIN_DURABLE } from "../../services/ledger/events/payin-consumer.js";
import type { DeadLetter } from "../../services/contracts/dead-letter.js";
import { listDeadLetters } from "../../services/lib/events/dead-letters.js";
import { deleteEventStreams, type EventStreamNames } from "../../services/lib/events/streams.js";
import { WALLET_PAYIN_DURABLE } from "../../services/wallet/events/payin-consumer.js";
import { connectAs, HARNESS } from "./nats-users.js";
import { waitFor } from "./wait.js";

/** Stream and subject names no other test or run uses. */
export function uniqueStreamNames(): EventStreamNames {
  const tag = randomBytes(5).toString("hex");
  return { stream: `T${tag.toUpperCase()}_EVENTS`, subjectPrefix: `t${tag}` };
}

export async function deleteStreams(names: EventStreamNames): Promise<void> {
  const nc = await connectAs(HARNESS);
  try {
    await deleteEventStreams(await jetstreamManager(nc), names);
  } finally {
    await nc.close();
  }
}

/** The consumers of payment.succeeded: each dead-letters an event of that subject it cannot decode. */
const PAYIN_CONSUMERS = [LEDGER_PAYIN_DURABLE, WALLET_PAYIN_DURABLE].sort();

/**
 * Waits until every consumer of payment.succeeded has dead-lettered the event `eventId` (its Nats-Msg-Id), and
 * resolves with those dead letters, one a consumer.
 */
export async function waitForPayInDeadLetters(names: EventStreamNames, eventId: string): Promise<DeadLetter[]> {
  const nc = await connectAs(HARNESS);
  try {
    const jsm = await jetstreamManager(nc);
    const letters = () => listDeadLetters(jsm, names).then((all) => all.filter((l) => l.original?.msgId === eventId));
    const done = (found: DeadLetter[]) =>
      JSON.stringify(found.map((l) => l.consumer).sort()) === JSON.stringify(PAYIN_CONSUMERS);
    return await waitFor(letters, done, 15_000, `every pay-in consumer to dead-letter the event ${eventId}`);
  } finally {
    await nc.close();
  }
}

/**
 * Publishes an undecodable ("poison") payment.succeeded event to the stream, and waits until every consumer of the
 * subject has dead-lettered it; resolves with its event id and those dead letters.
 */
export async function deadLetteredPoisonEvent(
  names: EventStreamNames,
): Promise<{ eventId: string; letters: DeadLetter[] }> {
  const eventId = `evt_poison_${randomUUID()}`;
  const nc = await connectAs(HARNESS);
  try {
    await jetstream(nc).publish(
      `${names.subjectPrefix}.payment.succeeded`,
      new TextEncoder().encode("not protobuf {"),
      { msgID: eventId },
    );
  } finally {
    await nc.close();
  }
  return { eventId, letters: await waitForPayInDeadLetters(names, eventId) };
}
