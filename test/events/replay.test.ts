import { jetstream, jetstreamManager, type JetStreamClient } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { Registry } from "prom-client";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ConsumerMetrics } from "../../services/lib/events/consumer-metrics.js";
import { PoisonMessage, type EventMessage } from "../../services/lib/events/consumer.js";
import { listDeadLetters } from "../../services/lib/events/dead-letters.js";
import { consumeEvents } from "../../services/lib/events/event-consumers.js";
import { encodeReplayPointer, replayBinding, replaySubject } from "../../services/lib/events/replay.js";
import { ensureEventStreams } from "../../services/lib/events/streams.js";
import type { LogFields, Logger } from "../../services/lib/log.js";
import { WALLET_PAYIN_DURABLE } from "../../services/wallet/events/payin-consumer.js";
import { deleteStreams, uniqueStreamNames } from "../support/event-streams.js";
import { connectAs, HARNESS } from "../support/nats-users.js";
import { waitFor } from "../support/wait.js";

// The wallet's pay-in durable, under the wallet's own NATS user, with a handler that only records what it is given.
const names = uniqueStreamNames();
const handled: EventMessage[] = [];
const warnings: { msg: string; fields?: LogFields }[] = [];
const quiet = () => {};
const log: Logger = {
  debug: quiet,
  info: quiet,
  error: quiet,
  warn: (msg, fields) => warnings.push({ msg, fields }),
  child: () => log,
};
let harness: NatsConnection;
let js: JetStreamClient;
let wallet: NatsConnection;
let consumers: { stop(): Promise<void> };

const text = (data: Uint8Array) => new TextDecoder().decode(data);
const handledTexts = () => handled.map((m) => text(m.data));
const publish = (subject: string, data: string) => js.publish(`${names.subjectPrefix}.${subject}`, data);
const pointTo = (streamSeq: number, dlqSeq = 1) =>
  js.publish(replaySubject(names, WALLET_PAYIN_DURABLE), encodeReplayPointer({ streamSeq, dlqSeq }));

beforeAll(async () => {
  harness = await connectAs(HARNESS);
  js = jetstream(harness);
  await ensureEventStreams(await jetstreamManager(harness), names);
  wallet = await connectAs("wallet");
  const handle = async (msg: EventMessage) => {
    handled.push(msg);
    if (text(msg.data).startsWith("poison")) throw new PoisonMessage("not a PaymentEvent");
  };
  const settings = { ackWaitMs: 1_000, maxDeliver: 3, retryBaseMs: 50 };
  const subscriptions = [{ durable: WALLET_PAYIN_DURABLE, subject: "payment.succeeded", handle }];
  consumers = await consumeEvents(
    wallet,
    { names, settings },
    subscriptions,
    log,
    new ConsumerMetrics(new Registry(), names),
  );
});

afterAll(async () => {
  await consumers?.stop();
  await wallet?.close();
  await harness?.close();
  await deleteStreams(names);
});

const handledCount = (data: string) => handledTexts().filter((t) => t === data).length;
const waitHandled = (data: string, times: number) =>
  waitFor(
    async () => handledCount(data),
    (n) => n >= times,
    10_000,
    `${data} handled ${times} times`,
  );

it("a replay pointer makes the consumer read the event from the stream and hand it to its handler again", async () => {
  const event = await publish("payment.succeeded", "event-1");
  await waitHandled("event-1", 1);
  await pointTo(event.seq);
  await waitHandled("event-1", 2);
  expect(handled.at(-1)!.subject).toBe(`${names.subjectPrefix}.payment.succeeded`);
});

it("a pointer to nothing, to another consumer's event or no pointer at all is logged and acked; later pointers still work", async () => {
  const event = await publish("payment.succeeded", "event-2");
  const payout = await publish("payout.paid", "a payout, which this durable does not read");
  await waitHandled("event-2", 1);
  const pointer = await pointTo(1_000_000);
  await pointTo(payout.seq);
  await js.publish(replaySubject(names, WALLET_PAYIN_DURABLE), "credit 1,000,000 USD to seller-invented");
  await pointTo(pointer.seq); // a pointer is no event either
  await pointTo(event.seq);
  const jsm = await jetstreamManager(harness);
  const replays = () => jsm.consumers.info(names.stream, replayBinding(WALLET_PAYIN_DURABLE).durable);
  const idle = await waitFor(
    replays,
    (c) => c.num_pending === 0 && c.num_ack_pending === 0,
    10_000,
    "every pointer acked",
  );
  expect(idle.num_redelivered).toBe(0);
  expect(handledCount("event-2")).toBe(2);
  expect(handledTexts()).not.toContain("a payout, which this durable does not read");
  // Handled concurrently: in any order.
  expect(warnings.map((w) => w.msg).sort()).toEqual([
    "replay ignored: no message at that stream sequence",
    "replay ignored: not a replay pointer",
    "replay ignored: the message is not one this consumer reads",
    "replay ignored: the message is not one this consumer reads",
  ]);
  expect(warnings.map((w) => w.fields)).toContainEqual(
    expect.objectContaining({
      durable: WALLET_PAYIN_DURABLE,
      streamSeq: payout.seq,
      subject: `${names.subjectPrefix}.payout.paid`,
    }),
  );
});

it("a replayed event that is still poison is the consumer's dead letter again", async () => {
  const event = await publish("payment.succeeded", "poison-1");
  const ofEvent = async () =>
    (await listDeadLetters(await jetstreamManager(harness), names)).filter((l) => l.streamSeq === event.seq);
  const first = await waitFor(ofEvent, (l) => l.length === 1, 10_000, "the poison event dead-lettered");
  await pointTo(event.seq, first[0]!.dlqSeq);
  const again = await waitFor(ofEvent, (l) => l[0]?.recordSeqs.length === 2, 10_000, "the replay dead-lettered");
  expect(again).toEqual([
    expect.objectContaining({ consumer: WALLET_PAYIN_DURABLE, kind: "poison", reason: "not a PaymentEvent" }),
  ]);
  expect(handledCount("poison-1")).toBe(2);
});
