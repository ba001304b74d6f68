import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { Counter, type Registry } from "prom-client";
import { onePerScrape, scrapedGauge } from "../metrics/scraped-gauge.js";
import type { EventOutcome } from "./consumer.js";
import type { NatsConnection } from "./nats.js";
import { deadLetterStream, type EventStreamNames } from "./streams.js";

/** A scrape must not wait out a NATS outage. */
const JETSTREAM_TIMEOUT_MS = 1_000;

/**
 * The event metrics of a service that consumes: events_handled_total as its consumers handle them; and at each
 * scrape, from JetStream, each durable's lag (consumer_pending_messages: not yet delivered, consumer_ack_pending:
 * delivered, not yet acked) and the dead-letter stream's depth (dead_letters). Without NATS those gauges are empty.
 */
export class ConsumerMetrics {
  private readonly handled: Counter<"durable" | "outcome">;
  private source: { jsm: JetStreamManager; durables: string[] } | undefined;

  constructor(
    registry: Registry,
    private readonly names: EventStreamNames,
  ) {
    this.handled = new Counter({
      name: "events_handled_total",
      help: "Events this instance's consumers handled, by durable and outcome (ok, retried, dead_lettered).",
      labelNames: ["durable", "outcome"],
      registers: [registry],
    });
    const consumers = onePerScrape(() => this.consumerInfos());
    scrapedGauge(
      registry,
      {
        name: "consumer_pending_messages",
        help: "Messages of the durable's subjects not yet delivered to it.",
        labelNames: ["durable"],
      },
      async () => (await consumers()).map((c) => ({ labels: { durable: c.name }, value: c.num_pending })),
    );
    scrapedGauge(
      registry,
      {
        name: "consumer_ack_pending",
        help: "Messages delivered to the durable and not yet acknowledged.",
        labelNames: ["durable"],
      },
      async () => (await consumers()).map((c) => ({ labels: { durable: c.name }, value: c.num_ack_pending })),
    );
    scrapedGauge(
      registry,
      { name: "dead_letters", help: "Records in the dead-letter stream.", labelNames: ["stream"] },
      async () => {
        const { stream, messages } = await this.deadLetters();
        return [{ labels: { stream }, value: messages }];
      },
    );
  }

  /** The records in the dead-letter stream; throws while not attached to NATS. */
  async deadLetters(): Promise<{ stream: string; messages: number }> {
    const stream = deadLetterStream(this.names);
    return { stream, messages: (await this.attached().jsm.streams.info(stream)).state.messages };
  }

  count(durable: string, outcome: EventOutcome): void {
    this.handled.inc({ durable, outcome });
  }

  /** Scrapes ask JetStream on `nc` about `durables` until the returned function is called. */
  async watch(nc: NatsConnection, durables: string[]): Promise<() => void> {
    const source = { jsm: await jetstreamManager(nc, { timeout: JETSTREAM_TIMEOUT_MS, checkAPI: false }), durables };
    this.source = source;
    return () => {
      if (this.source === source) this.source = undefined;
    };
  }

  private attached(): NonNullable<ConsumerMetrics["source"]> {
    if (!this.source) throw new Error("not attached to NATS");
    return this.source;
  }

  private consumerInfos() {
    const { jsm, durables } = this.attached();
    return Promise.all(durables.map((durable) => jsm.consumers.info(this.names.stream, durable)));
  }
}
