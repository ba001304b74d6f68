import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, expect, it } from "vitest";
import { listDeadLetters, replayDeadLetter } from "../../services/lib/events/dead-letters.js";
import { decodeReplayPointer, replaySubject } from "../../services/lib/events/replay.js";
import { deadLetterStream, ensureEventStreams, poisonSubject } from "../../services/lib/events/streams.js";
import { deleteStreams, uniqueStreamNames } from "../support/event-streams.js";
import { connectAs, HARNESS } from "../support/nats-users.js";

const names = uniqueStreamNames();
const DURABLE = "wallet-payins";
let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;

beforeAll(async () => {
  nc = await connectAs(HARNESS);
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
  await ensureEventStreams(jsm, names);
});

afterAll(async () => {
  await nc.close();
  await deleteStreams(names);
});

it("a poison message also redelivered to max_deliver is one dead letter; its replay points its consumer at it and removes both records", async () => {
  const original = await js.publish(
    `${names.subjectPrefix}.payment.succeeded`,
    new TextEncoder().encode("not protobuf {"),
    { msgID: "evt-1" },
  );
  const record = (type: string, reason?: string) =>
    JSON.stringify({
      type,
      timestamp: new Date().toISOString(),
      stream: names.stream,
      consumer: DURABLE,
      stream_seq: original.seq,
      deliveries: 3,
      reason,
    });
  // JetStream's advisory first: the consumer's own record was published after the redeliveries ran out.
  await js.publish(
    `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${names.stream}.${DURABLE}`,
    record("io.nats.jetstream.advisory.v1.max_deliver"),
  );
  await js.publish(poisonSubject(names, DURABLE), record("poison", "not a PaymentEvent"));
  await js.publish(
    poisonSubject(names, "ledger-payins"),
    JSON.stringify({ type: "poison", consumer: "ledger-payins", stream_seq: original.seq, deliveries: 1 }),
  );

  const letters = await listDeadLetters(jsm, names);
  expect(letters).toHaveLength(2);
  const wallet = letters.find((l) => l.consumer === DURABLE)!;
  expect(wallet).toMatchObject({
    kind: "poison",
    reason: "not a PaymentEvent",
    streamSeq: original.seq,
    recordSeqs: [1, 2],
  });

  await replayDeadLetter(js, jsm, names, wallet);
  const pointer = await jsm.streams.getMessage(names.stream, { last_by_subj: replaySubject(names, DURABLE) });
  expect(decodeReplayPointer(pointer!.data)).toEqual({ streamSeq: original.seq, dlqSeq: wallet.dlqSeq });
  expect((await listDeadLetters(jsm, names)).map((l) => l.consumer)).toEqual(["ledger-payins"]);
  expect((await jsm.streams.info(deadLetterStream(names))).state.messages).toBe(1);
});
