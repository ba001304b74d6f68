import type { JetStreamClient, JetStreamManager, JsMsg } from "@nats-io/jetstream";
import type { Logger } from "../log.js";
import { PoisonMessage, recordDeadLetter, type ConsumerSettings, type EventHandler } from "./consumer.js";
import type { ConsumerBinding } from "./event-consumers.js";
import type { EventStreamNames } from "./streams.js";

/**
 * A replay asks the consumer that gave up on an event to read it again: the pointer names the event by its
 * sequence in the event stream, never carries it. Whoever may replay can thus only make a consumer re-read an
 * event its producer published, and only one the consumer reads anyway.
 */
export interface ReplayPointer {
  streamSeq: number;
  /** The dead letter this replays, which also tells one replay from the next. */
  dlqSeq: number;
}

/** The durable through which `durable` receives its replay pointers, on a subject of its own in the event stream. */
export const replayBinding = (durable: string): ConsumerBinding => ({
  durable: `${durable}-replays`,
  subject: `replay.${durable}`,
});

export const replaySubject = (names: EventStreamNames, durable: string) =>
  `${names.subjectPrefix}.${replayBinding(durable).subject}`;

export const encodeReplayPointer = (pointer: ReplayPointer) =>
  JSON.stringify({ stream_seq: pointer.streamSeq, dlq_seq: pointer.dlqSeq });

/** The pointer in `data`, or undefined for anything else. */
export function decodeReplayPointer(data: Uint8Array): ReplayPointer | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(data));
  } catch {
    return undefined;
  }
  const { stream_seq: streamSeq, dlq_seq: dlqSeq } = (parsed ?? {}) as Record<string, unknown>;
  const isSeq = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) > 0;
  return isSeq(streamSeq) && isSeq(dlqSeq) ? { streamSeq, dlqSeq } : undefined;
}

/** NATS subject matching: `*` is one token, a final `>` one or more. */
export function subjectMatches(filter: string, subject: string): boolean {
  const wanted = filter.split(".");
  const tokens = subject.split(".");
  for (const [i, token] of wanted.entries()) {
    if (token === ">") return tokens.length > i;
    if (i >= tokens.length || (token !== "*" && token !== tokens[i])) return false;
  }
  return wanted.length === tokens.length;
}

/**
 * Handles the replay pointers of the consumer `settings` describes: reads the event they point at from the
 * stream and gives it to `handle`, the consumer's own handler (so its inbox skips an event applied already). A
 * pointer to nothing, or to an event outside the consumer's filter, is logged and acked. A replayed event that
 * fails is retried like any delivery; on the last one, or when poison, it is the consumer's dead letter again.
 */
export function replayHandler(
  js: JetStreamClient,
  jsm: JetStreamManager,
  settings: ConsumerSettings,
  handle: EventHandler,
  log: Logger,
): (pointer: JsMsg) => Promise<void> {
  return async (msg) => {
    const pointer = decodeReplayPointer(msg.data);
    const context = { durable: settings.durable, pointerSeq: msg.seq, ...pointer };
    if (pointer === undefined) {
      log.warn("replay ignored: not a replay pointer", context);
      return;
    }
    const original = await jsm.streams.getMessage(settings.names.stream, { seq: pointer.streamSeq });
    if (original === null) {
      log.warn("replay ignored: no message at that stream sequence", context);
      return;
    }
    if (!subjectMatches(settings.filterSubject, original.subject)) {
      log.warn("replay ignored: the message is not one this consumer reads", { ...context, subject: original.subject });
      return;
    }
    try {
      await handle(original);
      log.info("dead letter replayed", { ...context, subject: original.subject });
    } catch (err) {
      const poison = err instanceof PoisonMessage;
      if (!poison && msg.info.deliveryCount < settings.maxDeliver) throw err;
      const letter = {
        type: poison ? "poison" : "replay_failed",
        durable: settings.durable,
        streamSeq: pointer.streamSeq,
        deliveries: msg.info.deliveryCount,
        reason: err instanceof Error ? err.message : String(err),
      } as const;
      await recordDeadLetter(
        js,
        settings.names,
        letter,
        `${settings.durable}:${pointer.streamSeq}:replay:${pointer.dlqSeq}`,
      );
      log.error("replayed event failed again, dead-lettered", {
        ...context,
        subject: original.subject,
        error: String(err),
      });
    }
  };
}
