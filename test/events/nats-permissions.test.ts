import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { AuthorizationError, connect, PermissionViolationError, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scopeOf, type NatsUser } from "../../scripts/infra/nats-auth.js";
import { startNatsServer, type RunningNats } from "../../scripts/infra/nats.js";
import { LEDGER_PAYIN_DURABLE } from "../../services/ledger/events/payin-consumer.js";
import { ensureConsumer } from "../../services/lib/events/consumer.js";
import { consumerSettings } from "../../services/lib/events/event-consumers.js";
import { natsConnectOptions } from "../../services/lib/events/nats.js";
import { encodeReplayPointer, replaySubject } from "../../services/lib/events/replay.js";
import { deadLetterStream, ensureEventStreams, type EventStreamNames } from "../../services/lib/events/streams.js";
import { WALLET_PAYIN_DURABLE } from "../../services/wallet/events/payin-consumer.js";

// The production names, on a server of this file's own: the permissions as npm start grants them.
const names: EventStreamNames = { stream: "PAYMENT_EVENTS", subjectPrefix: "payments" };
let nats: RunningNats;
const connections: NatsConnection[] = [];

async function as(user: NatsUser): Promise<NatsConnection> {
  const nc = await connect({ ...natsConnectOptions(nats.endpoint(user), `test-${user}`), reconnect: false });
  connections.push(nc);
  return nc;
}

const messagesIn = async (stream: string) =>
  (await jetstreamManager(await as("payment"))).streams.info(stream).then((i) => i.state.messages);
const messagesInBoth = () => Promise.all([messagesIn(names.stream), messagesIn(deadLetterStream(names))]);
const payload = new TextEncoder().encode("forged");

beforeAll(async () => {
  nats = await startNatsServer(scopeOf(names));
  await ensureEventStreams(await jetstreamManager(await as("payment")), names);
});

afterAll(async () => {
  await Promise.all(connections.map((nc) => nc.close()));
  await nats?.stop();
});

describe("NATS authentication", () => {
  it("refuses an anonymous connection and a wrong password", async () => {
    await expect(connect({ servers: nats.url, reconnect: false })).rejects.toBeInstanceOf(AuthorizationError);
    await expect(
      connect({ servers: nats.url, user: "payment", pass: "guessed", reconnect: false }),
    ).rejects.toBeInstanceOf(AuthorizationError);
  });
});

describe("who may publish events", () => {
  it("the payment service publishes its events into the stream", async () => {
    const before = await messagesIn(names.stream);
    const js = jetstream(await as("payment"));
    for (const subject of ["payment.succeeded", "refund.succeeded", "dispute.open"])
      await js.publish(`payments.${subject}`, payload);
    expect(await messagesIn(names.stream)).toBe(before + 3);
  });

  it.each([
    ["wallet", "payments.payment.succeeded"],
    ["console", "deadletter.PAYMENT_EVENTS.ledger-payins"],
    ["ledger", "payments.payment.succeeded"],
    ["ledger", "payments.refund.succeeded"],
    ["ledger", "payments.payout.paid"],
    ["payment", "payments.payout.paid"],
    ["wallet", "payments.dispute.lost"],
    ["operator-tools", "payments.anything"],
    // Replaying a dead letter sends the consumer a pointer: the dead-letter operators publish no event.
    ["console", "payments.payment.succeeded"],
    ["console", "payments.refund.succeeded"],
    ["console", "payments.payout.paid"],
    ["operator-tools", "payments.payment.succeeded"],
    ["operator-tools", "payments.dispute.lost"],
    ["operator-tools", "payments.payout.paid"],
    ["console", "payments.replay.someone-else"],
  ] as const)("%s publishing %s is refused by the server, and nothing reaches the streams", async (user, subject) => {
    const before = await messagesInBoth();
    const nc = await as(user);
    const refused = jetstream(nc).publish(subject, payload, { msgID: `forged-${user}-${subject}` });
    await expect(refused).rejects.toThrow(`Permissions Violation for Publish to "${subject}"`);
    // A forger need not wait for JetStream's answer: a plain publish is dropped too.
    nc.publish(subject, payload);
    await nc.flush();
    expect(await messagesInBoth()).toEqual(before);
  });
});

describe("replaying dead letters", () => {
  it.each(["console", "operator-tools"] as const)("%s may send a consumer a replay pointer", async (user) => {
    const before = await messagesIn(names.stream);
    await jetstream(await as(user)).publish(
      replaySubject(names, LEDGER_PAYIN_DURABLE),
      encodeReplayPointer({ streamSeq: 1, dlqSeq: 1 }),
    );
    expect(await messagesIn(names.stream)).toBe(before + 1);
  });

  it("a consumer reads the event a pointer names from the stream itself", async () => {
    const event = await jetstream(await as("payment")).publish("payments.payment.succeeded", payload);
    const read = await (await jetstreamManager(await as("ledger"))).streams.getMessage(names.stream, {
      seq: event.seq,
    });
    expect(read?.subject).toBe("payments.payment.succeeded");
  });
});

describe("what consumers may do", () => {
  const ledgerPayIns = consumerSettings({ names }, { durable: LEDGER_PAYIN_DURABLE, subject: "payment.succeeded" });

  it("the ledger creates its own durable, pulls from it and acks", async () => {
    const nc = await as("ledger");
    await ensureConsumer(await jetstreamManager(nc), ledgerPayIns);
    await jetstream(await as("payment")).publish("payments.payment.succeeded", payload);
    const msg = await jetstream(nc)
      .consumers.get(names.stream, LEDGER_PAYIN_DURABLE)
      .then((c) => c.next({ expires: 2_000 }));
    expect(msg?.subject).toBe("payments.payment.succeeded");
    expect(await msg!.ackAck()).toBe(true);
  });

  it("the ledger can neither widen its durable's filter nor create or read another service's durable", async () => {
    const jsm = await jetstreamManager(await as("ledger"));
    await expect(ensureConsumer(jsm, { ...ledgerPayIns, filterSubject: "payments.>" })).rejects.toThrow(
      /Permissions Violation/,
    );
    const walletPayIns = consumerSettings({ names }, { durable: WALLET_PAYIN_DURABLE, subject: "payment.succeeded" });
    await expect(ensureConsumer(jsm, walletPayIns)).rejects.toThrow(/Permissions Violation/);
    await expect(jsm.consumers.info(names.stream, WALLET_PAYIN_DURABLE)).rejects.toThrow(/Permissions Violation/);
  });

  it("a consumer cannot subscribe to the event subjects or to another user's inbox", async () => {
    const nc = await as("ledger");
    for (const subject of ["payments.payment.succeeded", "_INBOX_payment.>"]) {
      await expect(nc.subscribe(subject).closed).resolves.toBeInstanceOf(PermissionViolationError);
    }
  });
});

describe("the streams", () => {
  it.each(["payment", "wallet", "ledger", "console", "operator-tools"] as const)(
    "%s can neither delete, purge nor shrink them",
    async (user) => {
      const jsm = await jetstreamManager(await as(user));
      for (const stream of [names.stream, deadLetterStream(names)]) {
        await expect(jsm.streams.delete(stream)).rejects.toThrow(/Permissions Violation/);
        await expect(jsm.streams.purge(stream)).rejects.toThrow(/Permissions Violation/);
        // New limits would discard events not yet consumed as surely as a purge.
        await expect(jsm.streams.update(stream, { max_msgs: 1 })).rejects.toThrow(/Permissions Violation/);
      }
      expect(await messagesIn(names.stream)).toBeGreaterThan(0);
    },
  );

  it("the consumers do not create or change them", async () => {
    const jsm = await jetstreamManager(await as("ledger"));
    await expect(jsm.streams.add({ name: "LEDGER_OWN", subjects: ["payments.payment.>"] })).rejects.toThrow(
      /Permissions Violation/,
    );
    await expect(jsm.streams.update(names.stream, { subjects: ["payments.>", "forged.>"] })).rejects.toThrow(
      /Permissions Violation/,
    );
  });
});
