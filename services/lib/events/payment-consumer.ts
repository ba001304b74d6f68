import { jetstream, jetstreamManager, type JsMsg } from "@nats-io/jetstream";
import type { Logger } from "../log.js";
import { defaultConsumerSettings, ensureConsumer, startConsumer, type ConsumerSettings } from "./consumer.js";
import { connectNats } from "./nats.js";
import { ensureEventStreams, type EventStreamNames } from "./streams.js";

export interface PaymentEventConsumerConfig {
  natsUrl: string;
  names: EventStreamNames;
  /** The durable consumer's name, shared by every instance of the service. */
  durable: string;
  /** e.g. "succeeded": only events announcing that status are delivered. */
  status: string;
  settings?: Partial<Pick<ConsumerSettings, "maxDeliver" | "ackWaitMs" | "retryBaseMs">>;
}

export function consumerSettings(config: PaymentEventConsumerConfig): ConsumerSettings {
  return {
    ...defaultConsumerSettings,
    ...config.settings,
    names: config.names,
    durable: config.durable,
    filterSubject: `${config.names.subjectPrefix}.payment.${config.status}`,
  };
}

/** Connects to NATS, makes sure the streams and the durable exist, and consumes until stopped. */
export async function startPaymentEventConsumer(
  config: PaymentEventConsumerConfig,
  handle: (msg: JsMsg) => Promise<void>,
  log: Logger,
): Promise<{ stop(): Promise<void> }> {
  const nc = await connectNats(config.natsUrl, config.durable);
  const jsm = await jetstreamManager(nc);
  const settings = consumerSettings(config);
  await ensureEventStreams(jsm, config.names);
  await ensureConsumer(jsm, settings);
  const consumer = await startConsumer(jetstream(nc), settings, handle, log);
  return {
    stop: async () => {
      await consumer.stop();
      await nc.close();
    },
  };
}
