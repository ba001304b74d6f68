import type { JetStreamClient, JsMsg } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../log.js";
import { processBatch, processMessage, type ConsumerSettings } from "./consumer.js";

const settings: ConsumerSettings = {
  names: { stream: "S", subjectPrefix: "p" },
  durable: "d",
  filterSubject: "p.>",
  maxDeliver: 3,
  ackWaitMs: 30_000,
  retryBaseMs: 1_000,
};

/** A delivery on its last allowed attempt, recording what the consumer did with it. */
function lastDelivery(seq = 7) {
  const did: string[] = [];
  const msg = {
    subject: "p.payment.succeeded",
    data: new Uint8Array(),
    seq,
    headers: undefined,
    info: { deliveryCount: settings.maxDeliver },
    ack: () => did.push("ack"),
    nak: () => did.push("nak"),
    term: () => did.push("term"),
    working: () => did.push("working"),
  } as unknown as JsMsg;
  return { msg, did };
}

const failingTimes = (n: number, error: () => Error) => {
  let runs = 0;
  return async () => {
    if (runs++ < n) throw error();
  };
};

describe("a consumer through a store outage", () => {
  it("holds the message while the database is away, spending no delivery, and acks it once applied", async () => {
    const { msg, did } = lastDelivery();
    const handle = failingTimes(3, () => new Error("Connection terminated unexpectedly"));
    const outcome = await processMessage(
      {} as JetStreamClient,
      msg,
      handle,
      settings,
      createLogger("test"),
      new AbortController().signal,
    );
    expect(outcome).toBe("ok");
    expect(did).toEqual(["working", "working", "working", "ack"]);
  });

  it("still counts any other failure as a delivery", async () => {
    const { msg, did } = lastDelivery();
    const outcome = await processMessage(
      {} as JetStreamClient,
      msg,
      failingTimes(1, () => new Error("no such account")),
      settings,
      createLogger("test"),
      new AbortController().signal,
    );
    expect(outcome).toBe("dead_lettered");
    expect(did).toEqual(["nak"]);
  });

  it("lets go of a held message when the consumer stops: redelivered as after any failure (the one way an outage spends a delivery)", async () => {
    const { msg, did } = lastDelivery();
    const stopping = new AbortController();
    stopping.abort();
    const outcome = await processMessage(
      {} as JetStreamClient,
      msg,
      failingTimes(1, () => new Error("Connection terminated")),
      settings,
      createLogger("test"),
      stopping.signal,
    );
    expect(outcome).toBe("dead_lettered");
    expect(did).toEqual(["nak"]);
  });

  it("holds every message of a batch while the database is away, and acks each once the batch committed", async () => {
    const deliveries = [lastDelivery(1), lastDelivery(2), lastDelivery(3)];
    const outcomes = await processBatch(
      {} as JetStreamClient,
      deliveries.map((d) => d.msg),
      {
        handle: () => Promise.reject(new Error("a held batch is not taken apart")),
        handleBatch: failingTimes(2, () => new Error("Connection terminated unexpectedly")),
      },
      settings,
      createLogger("test"),
      new AbortController().signal,
    );
    expect(outcomes).toEqual(["ok", "ok", "ok"]);
    for (const { did } of deliveries) expect(did).toEqual(["working", "working", "ack"]);
  });

  it("takes apart a batch that deadlocked, rather than holding it: each message then goes on its own", async () => {
    const deliveries = [lastDelivery(1), lastDelivery(2)];
    const handled: number[] = [];
    const outcomes = await processBatch(
      {} as JetStreamClient,
      deliveries.map((d) => d.msg),
      {
        handle: async (msg) => {
          handled.push(msg.seq);
        },
        handleBatch: failingTimes(1, () => Object.assign(new Error("deadlock detected"), { code: "40P01" })),
      },
      settings,
      createLogger("test"),
      new AbortController().signal,
    );
    expect(outcomes).toEqual(["ok", "ok"]);
    expect(handled).toEqual([1, 2]);
    for (const { did } of deliveries) expect(did).toEqual(["ack"]);
  });

  it("lets go of a held batch when the consumer stops, without trying its messages one by one against the absent database", async () => {
    const deliveries = [lastDelivery(1), lastDelivery(2)];
    const stopping = new AbortController();
    stopping.abort();
    const outcomes = await processBatch(
      {} as JetStreamClient,
      deliveries.map((d) => d.msg),
      {
        handle: () => Promise.reject(new Error("a batch let go of is not taken apart")),
        handleBatch: failingTimes(1, () => new Error("Connection terminated")),
      },
      settings,
      createLogger("test"),
      stopping.signal,
    );
    expect(outcomes).toEqual(["dead_lettered", "dead_lettered"]);
    for (const { did } of deliveries) expect(did).toEqual(["nak"]);
  });
});
