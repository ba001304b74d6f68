import { jetstream, jetstreamManager, type JsMsg } from "@nats-io/jetstream";
import type { Logger } from "../log.js";
import { defaultConsumerSettings, ensureConsumer, startConsumer, type ConsumerSettings } from "./consumer.js";
import { attachToNats } from "./nats.js";
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

/**
 * Makes sure the streams and the durable exist and consumes until stopped; while NATS is down, it keeps trying in
 * the background. Resolves once the first try is over.
 */
export async function startPaymentEventConsumer(
  config: PaymentEventConsumerConfig,
  handle: (msg: JsMsg) => Promise<void>,
  log: Logger,
): Promise<{ stop(): Promise<void> }> {
  const settings = consumerSettings(config);
  const attachment = attachToNats(
    config.natsUrl,
    config.durable,
    async (nc) => {
      const jsm = await jetstreamManager(nc);
      await ensureEventStreams(jsm, config.names);
      await ensureConsumer(jsm, settings);
      return startConsumer(jetstream(nc), settings, handle, log);
    },
    log,
  );
  await attachment.firstAttempt;
  return { stop: attachment.close };
}
