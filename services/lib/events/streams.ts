import {
  DiscardPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
} from "@nats-io/jetstream";
import { nanos } from "@nats-io/transport-node";
import { envInt } from "../config.js";

/** Where payment events live. Tests give each run its own stream name and subject prefix. */
export interface EventStreamNames {
  /** e.g. "PAYMENT_EVENTS"; its dead letters go to "<stream>_DLQ". */
  stream: string;
  /** e.g. "payments": events are published on "<prefix>.payment.<status>". */
  subjectPrefix: string;
}

/** The stream or consumer does not exist. */
export function isNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.status === 404;
}

export const DEFAULT_STREAMS: EventStreamNames = { stream: "PAYMENT_EVENTS", subjectPrefix: "payments" };

/** EVENTS_STREAM and EVENTS_SUBJECT_PREFIX, else the defaults. */
export function streamNamesFromEnv(): EventStreamNames {
  return {
    stream: process.env.EVENTS_STREAM || DEFAULT_STREAMS.stream,
    subjectPrefix: process.env.EVENTS_SUBJECT_PREFIX || DEFAULT_STREAMS.subjectPrefix,
  };
}

/** EVENTS_STREAM_REPLICAS: copies of each stream the services create, 1 on a single NATS server, 3 on a cluster. */
export function streamReplicasFromEnv(): number {
  return envInt("EVENTS_STREAM_REPLICAS", 1);
}

/** JetStream drops a second publish with the same Nats-Msg-Id inside this window. */
export const DUPLICATE_WINDOW_MS = 2 * 60_000;
/** Events are kept this long, so that dead letters can still be replayed from the stream. */
export const EVENT_RETENTION_MS = 14 * 24 * 3_600_000;

export const deadLetterStream = (names: EventStreamNames) => `${names.stream}_DLQ`;

/** Where a consumer records a poison message itself (JetStream 2.9 emits no advisory on term()). */
export const poisonSubject = (names: EventStreamNames, durable: string) => `deadletter.${names.stream}.${durable}`;

/**
 * The dead-letter stream captures JetStream's advisory for a message that reached max_deliver, and the poison
 * records consumers publish: each entry points at the original message in the event stream.
 */
export function deadLetterSubjects(names: EventStreamNames): string[] {
  return [`$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${names.stream}.*`, poisonSubject(names, "*")];
}

/**
 * Creates the stream when it does not exist. An existing one is left as it is: changing a stream's limits can
 * discard events not yet consumed, so no service may (its NATS user has no STREAM.UPDATE); an operator with the
 * server's own credentials changes them.
 */
async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> {
  try {
    await jsm.streams.info(config.name);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    try {
      await jsm.streams.add(config);
    } catch (raced) {
      // Another instance created it in between: fine, as long as it exists now.
      await jsm.streams.info(config.name).catch(() => Promise.reject(raced));
    }
  }
}

/**
 * Creates the event stream and its dead-letter stream when missing, each with `replicas` copies (their consumers
 * inherit it); safe to call from every service at start.
 */
export async function ensureEventStreams(jsm: JetStreamManager, names: EventStreamNames, replicas = 1): Promise<void> {
  await ensureStream(jsm, {
    name: names.stream,
    num_replicas: replicas,
    subjects: [`${names.subjectPrefix}.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(EVENT_RETENTION_MS),
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
  });
  await ensureStream(jsm, {
    name: deadLetterStream(names),
    num_replicas: replicas,
    subjects: deadLetterSubjects(names),
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: nanos(EVENT_RETENTION_MS),
  });
}

/** Deletes both streams (tests, local resets). */
export async function deleteEventStreams(jsm: JetStreamManager, names: EventStreamNames): Promise<void> {
  for (const name of [names.stream, deadLetterStream(names)]) {
    await jsm.streams.delete(name).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
  }
}
