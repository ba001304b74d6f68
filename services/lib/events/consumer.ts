import {
  AckPolicy,
  DeliverPolicy,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from "@nats-io/jetstream";
import { nanos } from "@nats-io/transport-node";
import { setTimeout as sleep } from "node:timers/promises";
import type { LogFields, Logger } from "../log.js";
import { jitteredBackoffMs } from "../retry.js";
import { isConcurrencyConflict, isTransientStoreError } from "../store-errors.js";
import { eventLogFields } from "./event-log-fields.js";
import { isNotFound, poisonSubject, type EventStreamNames } from "./streams.js";

/** A message that can never be processed (undecodable, invalid): dead-lettered at once instead of retried. */
export class PoisonMessage extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PoisonMessage";
  }
}

/** What a handler reads of a message: one delivered to its durable, or one a replay read back from the stream. */
export type EventMessage = Pick<JsMsg, "subject" | "data">;
export type EventHandler = (msg: EventMessage) => Promise<void>;
/** Handles several messages together: all of them take effect, or none (it throws). */
export type BatchHandler = (msgs: readonly EventMessage[]) => Promise<void>;

export interface ConsumerSettings {
  names: EventStreamNames;
  durable: string;
  filterSubject: string;
  /** Deliveries before JetStream gives up and the message becomes a dead letter. */
  maxDeliver: number;
  ackWaitMs: number;
  /** Wait before a failed message is redelivered; doubles with each delivery. */
  retryBaseMs: number;
}

export const defaultConsumerSettings = { maxDeliver: 5, ackWaitMs: 30_000, retryBaseMs: 1_000 } as const;

/** Creates or updates a durable pull consumer with explicit acks. */
export async function ensureConsumer(jsm: JetStreamManager, settings: ConsumerSettings): Promise<void> {
  const config = {
    durable_name: settings.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: settings.filterSubject,
    max_deliver: settings.maxDeliver,
    ack_wait: nanos(settings.ackWaitMs),
  };
  try {
    await jsm.consumers.update(settings.names.stream, settings.durable, config);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await jsm.consumers.add(settings.names.stream, config);
  }
}

/** A dead letter a consumer records itself, beside JetStream's max-deliveries advisories. */
export interface OwnDeadLetter {
  type: "poison" | "replay_failed";
  durable: string;
  streamSeq: number;
  deliveries: number;
  reason: string;
}

/**
 * Publishes `letter` to the dead-letter stream, shaped like JetStream's max-deliveries advisory. `msgID` keeps a
 * record published twice (a retry after a lost ack) from counting twice.
 */
export async function recordDeadLetter(
  js: JetStreamClient,
  names: EventStreamNames,
  letter: OwnDeadLetter,
  msgID: string,
): Promise<void> {
  const record = {
    type: letter.type,
    timestamp: new Date().toISOString(),
    stream: names.stream,
    consumer: letter.durable,
    stream_seq: letter.streamSeq,
    deliveries: letter.deliveries,
    reason: letter.reason,
  };
  await js.publish(poisonSubject(names, letter.durable), JSON.stringify(record), { msgID });
}

/** The ids of the event a message carries, for its log lines; Nats-Msg-Id is the event id, also on bytes that are no event. */
function eventIdsOf(msg: JsMsg): LogFields {
  return { eventId: msg.headers?.get("Nats-Msg-Id") || undefined, ...eventLogFields(msg.subject, msg.data) };
}

/** How often a message held through a store outage is tried again. */
const STORE_OUTAGE_BACKOFF = { baseDelayMs: 100, maxDelayMs: 2_000 };

/**
 * Runs `handle` again, holding `msgs` (working(): no redelivery, no delivery spent), for as long as it fails because
 * the database is away (`awaitsStore` says which failures those are): an outage is no fault of the messages and must
 * not make them dead letters. Gives up only when `stopping` fires; then they are redelivered as after any failure.
 */
async function handleThroughStoreOutages(
  msgs: readonly JsMsg[],
  handle: () => Promise<void>,
  awaitsStore: (err: unknown) => boolean,
  stopping: AbortSignal,
  log: Logger,
  context: LogFields,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await handle();
    } catch (err) {
      if (!awaitsStore(err) || stopping.aborted) throw err;
      if (attempt === 1)
        log.warn("the database is unavailable; the message waits for it", { ...context, error: String(err) });
      for (const msg of msgs) msg.working();
      await sleep(jitteredBackoffMs(attempt, STORE_OUTAGE_BACKOFF), undefined, { signal: stopping }).catch(() => {});
    }
  }
}

/** What became of a delivery: acked, to be redelivered, or given up on (a dead letter). */
export type EventOutcome = "ok" | "retried" | "dead_lettered";

/**
 * Acks only after `handle` committed its effect; `handle` must be idempotent on the event (see inbox.ts).
 * A store outage is waited out with the message held (handleThroughStoreOutages); any other failure is retried
 * later (nak with backoff) until max_deliver, when JetStream's advisory makes it a dead letter; a poison message is
 * recorded as a dead letter and terminated at once.
 */
export async function processMessage(
  js: JetStreamClient,
  msg: JsMsg,
  handle: (msg: JsMsg) => Promise<void>,
  settings: ConsumerSettings,
  log: Logger,
  stopping: AbortSignal,
): Promise<EventOutcome> {
  try {
    const context = { durable: settings.durable, streamSeq: msg.seq, ...eventIdsOf(msg) };
    await handleThroughStoreOutages([msg], () => handle(msg), isTransientStoreError, stopping, log, context);
    msg.ack();
    return "ok";
  } catch (err) {
    return afterFailure(js, msg, err, settings, log);
  }
}

/** What becomes of a delivery that failed with `err`: redelivered later, or, when poison, a dead letter at once. */
async function afterFailure(
  js: JetStreamClient,
  msg: JsMsg,
  err: unknown,
  settings: ConsumerSettings,
  log: Logger,
): Promise<EventOutcome> {
  const context = {
    durable: settings.durable,
    subject: msg.subject,
    streamSeq: msg.seq,
    delivery: msg.info.deliveryCount,
    ...eventIdsOf(msg),
    error: String(err),
  };
  const retryIn = settings.retryBaseMs * 2 ** (msg.info.deliveryCount - 1);
  if (!(err instanceof PoisonMessage)) {
    const lastDelivery = msg.info.deliveryCount >= settings.maxDeliver;
    log.warn(
      lastDelivery
        ? "message failed on its last delivery, becomes a dead letter"
        : "message failed, will be redelivered",
      context,
    );
    msg.nak(retryIn);
    return lastDelivery ? "dead_lettered" : "retried";
  }
  try {
    msg.working(); // the record is published before term(): keep it from being redelivered meanwhile
    const letter = {
      type: "poison",
      durable: settings.durable,
      streamSeq: msg.seq,
      deliveries: msg.info.deliveryCount,
      reason: err.message,
    } as const;
    await recordDeadLetter(js, settings.names, letter, `${settings.durable}:${msg.seq}`);
    log.error("poison message dead-lettered", context);
    // No reason on the term: servers before 2.10.4 ignore a "+TERM <reason>" and redeliver after ack_wait. The
    // reason is in the record.
    msg.term();
    return "dead_lettered";
  } catch (publishErr) {
    log.warn("could not dead-letter a poison message, will retry", { ...context, publishError: String(publishErr) });
    msg.nak(retryIn);
    return "retried";
  }
}

/**
 * Applies `msgs` with one call of `handleBatch` (one database transaction), holding them all through a store outage,
 * and acks each once it committed. When the batch fails otherwise (a poison message, an event the database refuses,
 * a deadlock with another instance), nothing of it took effect: each message then goes through processMessage on
 * its own, so that only the culprit is retried or dead-lettered and its neighbours are applied.
 */
export async function processBatch(
  js: JetStreamClient,
  msgs: readonly JsMsg[],
  handlers: { handle: (msg: JsMsg) => Promise<void>; handleBatch: BatchHandler },
  settings: ConsumerSettings,
  log: Logger,
  stopping: AbortSignal,
): Promise<EventOutcome[]> {
  const context = { durable: settings.durable, messages: msgs.length, firstStreamSeq: msgs[0]?.seq };
  // A conflict with another transaction is the batch's own doing (its locks): smaller transactions get past it.
  const awaitsStore = (err: unknown) => isTransientStoreError(err) && !isConcurrencyConflict(err);
  try {
    await handleThroughStoreOutages(msgs, () => handlers.handleBatch(msgs), awaitsStore, stopping, log, context);
  } catch (err) {
    // Only a consumer stopping gives up on an outage: every message then goes back, none is to blame.
    if (awaitsStore(err)) return Promise.all(msgs.map((msg) => afterFailure(js, msg, err, settings, log)));
    log.info("batch failed; its messages are handled one at a time", { ...context, error: String(err) });
    const outcomes: EventOutcome[] = [];
    for (const msg of msgs) outcomes.push(await processMessage(js, msg, handlers.handle, settings, log, stopping));
    return outcomes;
  }
  for (const msg of msgs) msg.ack();
  return msgs.map(() => "ok");
}

export interface RunningConsumer {
  stop(): Promise<void>;
}

const PULL_EXPIRES_MS = 5_000;

/** Resolves once the microtasks queued so far, and those they queue, have run. */
const endOfTurn = () => new Promise<undefined>((resolve) => setImmediate(() => resolve(undefined)));

/** Messages a consumer instance handles at once, one by one. */
export const CONSUMER_CONCURRENCY = 8;
/** How a consumer applies batches (see processBatch). */
export interface Batching {
  handleBatch: BatchHandler;
  /** The most messages a batch takes: only those delivered already, it never waits to fill up. BATCH_SIZE by default. */
  size?: number;
  /** Batches applied at once; BATCHES_IN_FLIGHT by default. */
  inFlight?: number;
}
// Chosen with scripts/bench/consumer-bench.ts.
export const BATCH_SIZE = 64;
export const BATCHES_IN_FLIGHT = 2;

/**
 * Runs a durable consumer: instances of a service share the durable, so JetStream spreads messages over them, and
 * each instance handles up to CONSUMER_CONCURRENCY at once, or, given `batching`, batches of the messages already
 * delivered (see processBatch). No handler may rely on the order of events: competing instances never kept it
 * anyway; idempotency and database constraints make every order come out the same. Few are buffered (twice what
 * it applies at once: 16 messages, or 256 in batches), so each is acked well within ack_wait. `handled` hears the
 * outcome of every delivery.
 */
export async function startConsumer(
  js: JetStreamClient,
  settings: ConsumerSettings,
  handle: (msg: JsMsg) => Promise<void>,
  log: Logger,
  handled: (outcome: EventOutcome) => void,
  batching?: Batching,
): Promise<RunningConsumer> {
  const consumer = await js.consumers.get(settings.names.stream, settings.durable);
  const maxBatch = batching ? (batching.size ?? BATCH_SIZE) : 1;
  const maxInFlight = batching ? (batching.inFlight ?? BATCHES_IN_FLIGHT) : CONSUMER_CONCURRENCY;
  // Pulls that expire within seconds, with heartbeats every expires/2: after a consumer leader is lost (a NATS node
  // down) two missed heartbeats make the client pull again, rather than the default 30 s pull's time. `bind` makes
  // it pull again at once and at every further missed heartbeat: without it, it first asks for the consumer's info,
  // which no one answers until a new leader is elected, and waits out the request's timeout and a backoff of up to
  // 1.5 × expires before asking again (measured: up to 9 s more after the election). Losing the "consumer not
  // found" notice is no loss: a consume() without abort_on_missing_resource keeps going without it anyway.
  const messages: ConsumerMessages = await consumer.consume({
    max_messages: 2 * maxBatch * maxInFlight,
    expires: PULL_EXPIRES_MS,
    bind: true,
  });
  const stopping = new AbortController();
  const inFlight = new Set<Promise<void>>();
  const start = (batch: JsMsg[]) => {
    const outcomes =
      batching && batch.length > 1
        ? processBatch(js, batch, { handle, handleBatch: batching.handleBatch }, settings, log, stopping.signal)
        : Promise.all(batch.map((msg) => processMessage(js, msg, handle, settings, log, stopping.signal)));
    const one: Promise<void> = outcomes
      .then(
        (all) => {
          for (const outcome of all) handled(outcome);
        },
        (err: unknown) =>
          log.error("consumer failed on a message", {
            durable: settings.durable,
            streamSeqs: batch.map((msg) => msg.seq),
            ...(batch.length === 1 && batch[0] ? eventIdsOf(batch[0]) : {}),
            error: String(err),
          }),
      )
      .finally(() => inFlight.delete(one));
    inFlight.add(one);
  };
  const loop = (async () => {
    const iterator = messages[Symbol.asyncIterator]();
    let next = iterator.next();
    for (let ended = false; !ended; ) {
      const first = await next;
      if (first.done) break;
      const batch = [first.value];
      next = iterator.next();
      // The messages consume() holds already come within this turn of the event loop; a batch takes those only, so
      // that under load batches grow while earlier ones commit, and a lone message never waits for company.
      while (batch.length < maxBatch) {
        const more = await Promise.race([next, endOfTurn()]);
        if (more === undefined) break;
        if (more.done) {
          ended = true;
          break;
        }
        batch.push(more.value);
        next = iterator.next();
      }
      start(batch);
      if (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  })();
  return {
    stop: async () => {
      stopping.abort();
      await messages.close();
      await loop;
    },
  };
}
