import { jetstream, jetstreamManager, type JsMsg } from "@nats-io/jetstream";
import type { Logger } from "../log.js";
import type { ConsumerMetrics } from "./consumer-metrics.js";
import {
  defaultConsumerSettings,
  ensureConsumer,
  startConsumer,
  type BatchHandler,
  type ConsumerSettings,
  type EventHandler,
} from "./consumer.js";
import { attachToNats, type NatsConnection, type NatsEndpoint } from "./nats.js";
import { replayBinding, replayHandler } from "./replay.js";
import type { EventStreamNames } from "./streams.js";

/** Where a service reads its events, and how patiently. */
export interface EventsConfig {
  nats: NatsEndpoint;
  names: EventStreamNames;
  /** Copies of each stream the service creates (EVENTS_STREAM_REPLICAS); 1 by default. */
  streamReplicas?: number;
  settings?: Partial<Pick<ConsumerSettings, "maxDeliver" | "ackWaitMs" | "retryBaseMs">>;
}

/** A durable consumer, shared by every instance of the service, and what it does with each message. */
export interface Subscription {
  durable: string;
  /** Under the subject prefix, e.g. "payment.succeeded" or "payout.*". */
  subject: string;
  handle: EventHandler;
  /** Several messages in one go, all or none taking effect (see processBatch); without it, one at a time. */
  handleBatch?: BatchHandler;
}

/** A durable and the subject it reads, without its handler. */
export type ConsumerBinding = Pick<Subscription, "durable" | "subject">;

export function consumerSettings(
  events: Pick<EventsConfig, "names" | "settings">,
  subscription: ConsumerBinding,
): ConsumerSettings {
  return {
    ...defaultConsumerSettings,
    ...events.settings,
    names: events.names,
    durable: subscription.durable,
    filterSubject: `${events.names.subjectPrefix}.${subscription.subject}`,
  };
}

/**
 * Creates or updates every durable and its replay durable (see replay.ts), then consumes them all until stopped,
 * with their `metrics`. The streams must exist.
 */
export async function consumeEvents(
  nc: NatsConnection,
  events: Pick<EventsConfig, "names" | "settings">,
  subscriptions: Subscription[],
  log: Logger,
  metrics: ConsumerMetrics,
): Promise<{ stop(): Promise<void> }> {
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const durables = subscriptions.flatMap(
    (s): { settings: ConsumerSettings; handle: (msg: JsMsg) => Promise<void>; handleBatch?: BatchHandler }[] => {
      const settings = consumerSettings(events, s);
      const replays = consumerSettings(events, replayBinding(s.durable));
      return [
        { settings, handle: s.handle, handleBatch: s.handleBatch },
        { settings: replays, handle: replayHandler(js, jsm, settings, s.handle, log) },
      ];
    },
  );
  for (const { settings } of durables) await ensureConsumer(jsm, settings);
  const running = await Promise.all(
    durables.map(({ settings, handle, handleBatch }) =>
      startConsumer(
        js,
        settings,
        handle,
        log,
        (outcome) => metrics.count(settings.durable, outcome),
        handleBatch && { handleBatch },
      ),
    ),
  );
  const unwatch = await metrics.watch(
    nc,
    durables.map(({ settings }) => settings.durable),
  );
  return {
    stop: async () => {
      unwatch();
      await Promise.all(running.map((r) => r.stop()));
    },
  };
}

/**
 * Makes sure the durables exist and consumes until stopped, on one connection; while NATS is down, or until the
 * producers have created the streams, it keeps trying in the background. Resolves once the first try is over.
 */
export async function startEventConsumers(
  connectionName: string,
  events: EventsConfig,
  subscriptions: Subscription[],
  log: Logger,
  metrics: ConsumerMetrics,
): Promise<{ stop(): Promise<void>; connected(): boolean }> {
  const attachment = attachToNats(
    events.nats,
    connectionName,
    (nc) => consumeEvents(nc, events, subscriptions, log, metrics),
    log,
  );
  await attachment.firstAttempt;
  return { stop: attachment.close, connected: attachment.connected };
}
