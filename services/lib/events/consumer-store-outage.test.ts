import type { JetStreamClient, JsMsg } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../log.js";
import { processMessage, type ConsumerSettings } from "./consumer.js";

const settings: ConsumerSettings = {
  names: { stream: "S", subjectPrefix: "p" },
  durable: "d",
  filterSubject: "p.>",
  maxDeliver: 3,
  ackWaitMs: 30_000,
  retryBaseMs: 1_000,
};

/** A delivery on its last allowed attempt, recording what the consumer did with it. */
function lastDelivery() {
  const did: string[] = [];
  const msg = {
    subject: "p.payment.succeeded",
    data: new Uint8Array(),
    seq: 7,
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
});
