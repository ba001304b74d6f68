import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import { encodeReplayPointer, replaySubject } from "./replay.js";
import { deadLetterStream, type EventStreamNames } from "./streams.js";
import type { DeadLetter } from "../../contracts/dead-letter.js";

interface Advisory {
  type: string;
  timestamp: string;
  consumer: string;
  stream_seq: number;
  deliveries: number;
  reason?: string;
}

export async function listDeadLetters(jsm: JetStreamManager, names: EventStreamNames): Promise<DeadLetter[]> {
  const dlq = deadLetterStream(names);
  const { state } = await jsm.streams.info(dlq);
  const letters = new Map<string, DeadLetter>();
  for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
    const entry = await jsm.streams.getMessage(dlq, { seq }).catch(() => null);
    if (!entry) continue; // replayed and removed
    const advisory = entry.json<Advisory>();
    const key = `${advisory.consumer}:${advisory.stream_seq}`;
    const known = letters.get(key);
    if (known) {
      known.recordSeqs.push(seq);
      if (advisory.type === "poison") Object.assign(known, { kind: "poison", reason: advisory.reason ?? "" });
      continue;
    }
    const original = await jsm.streams.getMessage(names.stream, { seq: advisory.stream_seq }).catch(() => null);
    letters.set(key, {
      dlqSeq: seq,
      recordSeqs: [seq],
      kind: advisory.type === "poison" ? "poison" : "max_deliveries",
      consumer: advisory.consumer,
      streamSeq: advisory.stream_seq,
      deliveries: advisory.deliveries,
      reason: advisory.reason ?? "",
      recordedAt: advisory.timestamp,
      original: original
        ? { subject: original.subject, msgId: original.header.get("Nats-Msg-Id"), data: original.data }
        : undefined,
    });
  }
  return [...letters.values()];
}

/**
 * Sends the dead letter back to the consumer that gave up on it, then removes it: a replay pointer (replay.ts),
 * not the event, so that replaying needs no right to publish events. If the consumer applied the event meanwhile,
 * its inbox skips it.
 */
export async function replayDeadLetter(
  js: JetStreamClient,
  jsm: JetStreamManager,
  names: EventStreamNames,
  letter: DeadLetter,
): Promise<void> {
  if (!letter.original)
    throw new Error(
      `dead letter ${letter.dlqSeq}: the original message (stream seq ${letter.streamSeq}) is gone from ${names.stream}`,
    );
  const pointer = encodeReplayPointer({ streamSeq: letter.streamSeq, dlqSeq: letter.dlqSeq });
  await js.publish(replaySubject(names, letter.consumer), pointer, {
    msgID: `${letter.consumer}:${letter.streamSeq}:replay:${letter.dlqSeq}`,
  });
  for (const seq of letter.recordSeqs) await jsm.streams.deleteMessage(deadLetterStream(names), seq);
}
